"""Editor interchange: import an edit from an NLE into film.yaml, export the film as a timeline.

:mod:`.formats` reads and writes the files (OpenTimelineIO and its adapters, with
:mod:`.fcpxml` and :mod:`.mlt` where an adapter was measured and fell short); :mod:`.read` turns
a timeline into placements of ingested clips, with warnings for what coprod does not render;
:mod:`.plan` compares them with film.yaml's sequence; :mod:`.apply` writes it under the film
lock; :mod:`.write` exports; :mod:`.record` remembers the last import for `coprod status`.
:mod:`.timebase` says how a frame maps to film.yaml's milliseconds. Nothing is imported here, so
`coprod status` (which reads the record) does not load OpenTimelineIO.
"""

"""Editor interchange: coprod import-edit and export-edit."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli._common import (
    choice,
    done,
    handles_errors,
    open_project,
    project_argument,
    say,
)
from pipeline.interchange.names import EditFormat

MISSING = ("editor interchange needs OpenTimelineIO and its adapters; install them with "
           "`pip install opentimelineio otio-fcp-adapter otio-cmx3600-adapter "
           "otio-kdenlive-adapter` (or reinstall coprod)")


def _require_otio() -> None:
    try:
        import opentimelineio  # noqa: F401
    except ImportError:
        raise click.ClickException(MISSING) from None


@click.command("import-edit")
@project_argument
@click.argument("edit_file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only print what would change.")
@click.option("--close-gaps", is_flag=True,
              help="Join the clips either side of a gap (coprod renders no black).")
@handles_errors
def import_edit(project: str, edit_file: Path, dry_run: bool, close_gaps: bool) -> None:
    """Make film.yaml's sequence the main video track of an edit from an editing program.

    Reads .otio, FCP 7 XML (.xml: Premiere Pro, DaVinci Resolve), FCPXML (.fcpxml: Final Cut
    Pro), CMX 3600 EDL (.edl) and Kdenlive (.kdenlive). Media is matched by path, original
    file name, reel name, content hash, then duration + timecode (Windows paths included); a
    clip may be used more than once. Prints the clips added, removed, re-trimmed and
    re-ordered, and warns about what coprod does not render (transitions, speed changes,
    effects, extra tracks, flattened FCPXML clips), also when the import is refused. A gap
    between clips is refused: coprod renders no black; close it in the editor, or give
    --close-gaps to join the clips either side.

    \b
    Example:
      coprod import-edit projects/our-film cut-v3.xml --dry-run
      coprod import-edit projects/our-film cut-v3.xml
      coprod import-edit projects/our-film cut-v3.xml --close-gaps
    """
    _require_otio()
    from pipeline.interchange.apply import import_edit as run_import
    from pipeline.interchange.errors import EditRefusedError
    from pipeline.interchange.guard import printable

    # Names come from the edit file: printed escaped, never obeyed by the terminal.
    try:
        result = run_import(open_project(project), edit_file, dry_run=dry_run,
                            close_gaps=close_gaps)
    except EditRefusedError as refused:
        for warning in refused.warnings:  # what was left out matters as much as what failed
            say(printable(f"warning: {warning}"))
        raise
    for warning in result.warnings:
        say(printable(f"warning: {warning}"))
    for change in result.plan.changes:
        click.echo(printable(change))
    kept = f"{result.plan.unchanged} clip(s) unchanged"
    if dry_run:
        done(f"dry run: {len(result.plan.changes)} change(s), {kept}; film.yaml not written")
    elif result.written:
        done(printable(f"film.yaml: sequence imported from {edit_file} ({kept})"))
    else:
        done(printable(f"film.yaml already matches {edit_file} ({kept}); nothing written"))
    for note in result.notes:
        say(printable(f"note: {note}"))


@click.command("export-edit")
@project_argument
@click.option("--format", "fmt", type=choice(EditFormat), required=True,
              help="otio, fcp-xml (Premiere, Resolve), fcpx (Final Cut Pro), edl, kdenlive.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write (default build/edit/PROJECT.EXT); never inside the "
                   "project but under build/edit/.")
@click.option("--force", is_flag=True,
              help="Replace the -o file (and the .srt beside it) if it exists.")
@handles_errors
def export_edit(project: str, fmt: str, output: Path | None, force: bool) -> None:
    """Write the film's sequence as a timeline an editing program opens.

    Clips reference the files in footage/ (absolute paths), carry their caption cues as
    markers and say whether consent and sign-off clear them; title and credits cards are gaps.
    The film's captions are written beside the file as .srt. An existing -o file is replaced
    only with --force; the project's own files and anything but a regular file never are.

    \b
    Example:
      coprod export-edit projects/our-film --format fcp-xml -o our-film.xml
      coprod export-edit projects/our-film --format kdenlive
    """
    _require_otio()
    from pipeline.interchange.guard import printable
    from pipeline.interchange.write import export_edit as run_export

    result = run_export(open_project(project), EditFormat(fmt), output, force=force)
    for warning in result.warnings:
        say(printable(f"warning: {warning}"))
    done(printable(f"wrote {result.path} and {result.captions}"))


COMMANDS: list[click.Command] = [import_edit, export_edit]

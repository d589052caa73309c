"""Caption library: cue model, segmentation, SRT/VTT formats, QC and diff. No ffmpeg, no Click."""

from captions.exceptions import CaptionError, CaptionParseError
from captions.model import Cue, Word

__all__ = ["CaptionError", "CaptionParseError", "Cue", "Word"]

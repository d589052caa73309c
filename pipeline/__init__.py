"""coprod's command line and media stages; the only package that runs ffmpeg or Whisper."""

__version__ = "0.1.0"

#!/usr/bin/env python3
"""Draws the demo's tibialis raise video (members/management/demo_video.py)
and encodes it as a small silent WebM with ffmpeg:

    .venv/bin/python bin/make_demo_video.py

The WebM is committed, so `make run` needs no ffmpeg; run this again after
changing the drawing.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from members.management.demo_video import CLIP, FRAMES, FRAMES_PER_SECOND, frame


def main() -> None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        sys.exit("This needs ffmpeg: apt-get install ffmpeg (Debian's package).")
    with tempfile.TemporaryDirectory() as folder:
        for index in range(FRAMES):
            frame(index).save(Path(folder) / f"{index:03d}.png")
        command = [
            ffmpeg, "-loglevel", "error", "-y",
            "-framerate", str(FRAMES_PER_SECOND), "-i", str(Path(folder) / "%03d.png"),
            "-c:v", "libvpx-vp9", "-crf", "40", "-b:v", "0", "-pix_fmt", "yuv420p",
            "-an", str(CLIP),
        ]  # fmt: skip
        subprocess.run(command, check=True)  # noqa: S603 (our own arguments)
    print(f"{CLIP.relative_to(Path.cwd())}: {CLIP.stat().st_size} bytes")


if __name__ == "__main__":
    main()

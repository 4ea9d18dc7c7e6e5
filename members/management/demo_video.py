"""The demo's demonstration video of the tibialis raise, drawn here: a
figure leaning on a wall, lifting its toes and lowering them, in a loop.

``bin/make_demo_video.py`` turns these frames into the committed WebM
(with ffmpeg, where it is installed); ``manage.py demo`` attaches that file
to the exercise, with the first frame as its picture.
"""

import math
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw

CLIP = Path(__file__).resolve().parent / "demo_media" / "tibialis-raise.webm"
SIZE = (320, 240)
FRAMES_PER_SECOND = 12
FRAMES = 24  # two seconds: up, pause, down
PAPER, WALL, INK, SHIN = "#f7f5ef", "#9aa5a1", "#073f33", "#0b5d4b"


def frame(index: int) -> Image.Image:
    """Frame ``index`` of the loop: the toes rise to 30 degrees and come back."""
    lift = math.radians(30) * (1 - math.cos(2 * math.pi * index / FRAMES)) / 2
    image = Image.new("RGB", SIZE, PAPER)
    pen = ImageDraw.Draw(image)
    pen.rectangle((20, 10, 34, 215), fill=WALL)  # the wall
    pen.line((20, 215, 300, 215), fill=WALL, width=4)  # the floor
    hip, heel = (44, 110), (140, 212)
    pen.ellipse((40, 14, 76, 50), outline=INK, width=5)  # head, off the wall
    pen.line(((58, 50), hip), fill=INK, width=6)  # back, tilted forward
    pen.line(((56, 70), (88, 112)), fill=INK, width=5)  # arm
    pen.line((hip, heel), fill=SHIN, width=8)  # straight leg to the heel
    length = 46  # heel to toes, lifted about the heel
    toes = (heel[0] + length * math.cos(lift), heel[1] - length * math.sin(lift))
    pen.line((heel, toes), fill=INK, width=8)
    pen.text((150, 24), "Tibialis raise", fill=INK, font_size=20)
    pen.text((150, 52), "Lift your toes,", fill=INK, font_size=16)
    pen.text((150, 72), "heels stay down", fill=INK, font_size=16)
    return image


def poster() -> bytes:
    """The first frame, as a PNG: the picture before the video plays."""
    out = BytesIO()
    frame(0).save(out, format="PNG")
    return out.getvalue()

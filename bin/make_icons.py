#!/usr/bin/env python3
"""Draws the home-screen icons of the installable app from the club's mark
(static/img/favicon.svg: three bars on the dark green, the middle one white)
and writes them to static/img/. Run it again after changing the mark:

    .venv/bin/python bin/make_icons.py

The PNGs are committed; nothing builds them at deploy time.
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "static" / "img"
GREEN = "#073f33"  # --brand-dark, the header's colour
MINT = "#9be3c9"
WHITE = "#ffffff"
# Drawn this many times larger, then scaled down: smooth edges without a font or SVG library.
OVERSAMPLE = 4


def draw_mark(size: int, *, rounded: bool, mark_scale: float) -> Image.Image:
    """The mark on a ``size`` square. ``rounded`` gives the favicon's corners
    (transparent outside them); otherwise the green fills the square, as
    maskable and iPhone icons need (the phone cuts its own shape).
    ``mark_scale`` is the bars' width as a share of the square."""
    big = size * OVERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if rounded:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 6 // 32, fill=GREEN)
    else:
        pen.rectangle((0, 0, big - 1, big - 1), fill=GREEN)
    # The favicon's 32-unit grid: bars 18 wide and 4 high, 3 apart.
    unit = big * mark_scale / 18
    left = (big - 18 * unit) / 2
    top = (big - 18 * unit) / 2
    for row, colour in enumerate((MINT, WHITE, MINT)):
        y = top + row * 7 * unit
        pen.rectangle((left, y, left + 18 * unit, y + 4 * unit), fill=colour)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    icons = {
        # "any" purpose: the favicon's rounded square, as the launcher shows it.
        "icon-192.png": draw_mark(192, rounded=True, mark_scale=18 / 32),
        "icon-512.png": draw_mark(512, rounded=True, mark_scale=18 / 32),
        # Maskable: the launcher may cut a circle; the bars stay inside the
        # middle 80 % (the safe zone), the green reaches every edge.
        "icon-maskable-512.png": draw_mark(512, rounded=False, mark_scale=0.46),
        # iPhones round the corners themselves and show transparency as black.
        "apple-touch-icon.png": draw_mark(180, rounded=False, mark_scale=0.5),
    }
    for name, image in icons.items():
        if name.startswith(("icon-maskable", "apple")):
            image = image.convert("RGB")
        image.save(OUT / name, optimize=True)
        print(
            f"{OUT / name}: {image.size[0]}x{image.size[1]}, {(OUT / name).stat().st_size} bytes"
        )


if __name__ == "__main__":
    main()

"""Small line charts drawn on the server as SVG: titled, described, and drawn
with presentation attributes only (the CSP forbids style attributes). Every
chart sits beside a table of the same numbers."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 320, 150
LEFT, RIGHT, TOP, BOTTOM = 64, 26, 14, 30


@dataclass
class Point:
    label: str  # the x label, such as "Nov 16"
    value: Decimal | float | int
    text: str = ""  # how the value reads in words: "14 in", "light"


def line_chart(
    *, chart_id: str, title: str, description: str, points: list[Point], ticks=None
) -> SafeString:
    """A line through ``points`` left to right. ``ticks`` names y values (for
    named levels); otherwise the lowest and highest values are labelled."""
    if not points:
        return SafeString("")
    values = [float(p.value) for p in points]
    low, high = min(values), max(values)
    if ticks:
        low, high = min(low, min(v for v, _ in ticks)), max(high, max(v for v, _ in ticks))
    flat = high == low
    if flat:
        high, low = high + 1, low - 1
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return LEFT + (inner_w * index / (len(points) - 1) if len(points) > 1 else inner_w / 2)

    def y(value: float) -> float:
        return TOP + inner_h * (high - value) / (high - low)

    coordinates = [(x(i), y(v)) for i, v in enumerate(values)]
    line = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coordinates)
    if ticks:
        tick_marks = ticks
    elif flat:
        tick_marks = [(values[0], _number(values[0]))]
    else:
        tick_marks = [(low, _number(low)), (high, _number(high))]
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#6b7570"/>'
        "{ticks}"
        '<polyline points="{line}" fill="none" stroke="#0b5d4b" stroke-width="3"/>'
        "{dots}{labels}</svg>",
        w=WIDTH,
        h=HEIGHT,
        id=chart_id,
        title=title,
        desc=description,
        left=LEFT,
        right=WIDTH - RIGHT,
        bottom=HEIGHT - BOTTOM,
        ticks=format_html_join(
            "",
            '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#3b4742">{}</text>',
            ((LEFT - 4, f"{y(float(v)) + 4:.1f}", text) for v, text in tick_marks),
        ),
        line=line,
        dots=format_html_join(
            "",
            '<circle cx="{}" cy="{}" r="4.5" fill="#0b5d4b"/>',
            ((f"{cx:.1f}", f"{cy:.1f}") for cx, cy in coordinates),
        ),
        labels=format_html_join(
            "",
            '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#3b4742">{}</text>',
            (
                (f"{cx:.1f}", HEIGHT - 10, p.label)
                for (cx, _), p in zip(coordinates, points, strict=True)
            ),
        ),
    )


def _number(value: float) -> str:
    return f"{value:g}"

"""The report's bar chart, drawn on the server as SVG with presentation
attributes only (the CSP forbids style attributes), beside its table."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, ROW, LEFT, RIGHT = 320, 26, 96, 34


def bar_chart(rows: list[tuple[str, int]], *, chart_id: str, title: str) -> SafeString:
    """One bar a row, its count at its end; the widest bar is the largest count."""
    if not rows:
        return SafeString("")
    largest = max(count for _, count in rows) or 1
    inner = WIDTH - LEFT - RIGHT
    height = ROW * len(rows) + 6
    bars = []
    for index, (label, count) in enumerate(rows):
        top = 4 + ROW * index
        length = inner * count / largest
        bars.append(
            (
                LEFT - 6,
                top + 15,
                label,
                LEFT,
                top + 2,
                f"{length:.1f}",
                LEFT + length + 4,
                top + 15,
                count,
            )
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{bars}</svg>',
        w=WIDTH,
        h=height,
        id=chart_id,
        title=title,
        desc="; ".join(f"{label}: {count}" for label, count in rows),
        bars=format_html_join(
            "",
            '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#17201c">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="18" fill="#0b5d4b"/>'
            '<text x="{}" y="{}" font-size="11" fill="#17201c">{}</text>',
            bars,
        ),
    )

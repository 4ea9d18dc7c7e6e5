"""The printed guide's QR codes: a phone scans one to watch an exercise's
video, which paper cannot play."""

import segno
from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def video_qr(context, exercise) -> str:
    """An image of a QR code for the address of ``exercise``'s video, drawn
    here (an SVG data address, allowed by the page's policy for images)."""
    address = context["request"].build_absolute_uri(exercise.video.url)
    code = segno.make(address, error="m")
    return format_html(
        '<img class="video-qr" src="{}" alt="QR code: scan it to watch {} on a phone" '
        'width="96" height="96">',
        code.svg_data_uri(scale=4, border=2),
        exercise.name,
    )

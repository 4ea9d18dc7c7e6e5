"""Demonstration videos the club films: MP4 or WebM, known by their content.

A video cannot be re-encoded here as pictures are (routines/images.py), so
it is checked instead: the file must open as an MP4 (an ISO media ``ftyp``
box naming a brand browsers play) or a WebM (an EBML header whose document
type is ``webm``), whatever its name says, and be under ``MAX_BYTES``. It is
stored under a name we make, with the extension of what it is, and
``/media/`` serves it with that type only.
"""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

NOT_A_VIDEO = "Upload an MP4 or WebM video."
MAX_BYTES = 50 * 1024 * 1024
TOO_BIG = "This video is too big: upload one under 50 MB (a short clip, a few seconds)."

# The extension we store and the type we serve, by what the content is.
CONTENT_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}
# ISO media brands of files browsers play as video/mp4.
MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"dash",
}
EBML_MAGIC = b"\x1a\x45\xdf\xa3"


def kind_of(head: bytes) -> str | None:
    """ "mp4" or "webm" for the first bytes of a file that is one, else None."""
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return "mp4"
    # The EBML header's DocType element (0x42 0x82) holds "webm" within it.
    if head.startswith(EBML_MAGIC) and b"\x42\x82\x84webm" in head[:64]:
        return "webm"
    return None


def check(upload) -> str:
    """The extension for the video in ``upload``; ``ValidationError`` with a
    message for the trainer when it is not a video we take."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(TOO_BIG, code="too_big")
    if hasattr(upload, "seek"):
        upload.seek(0)
    head = upload.read(64)
    if hasattr(upload, "seek"):
        upload.seek(0)
    extension = kind_of(head)
    if extension is None:
        raise ValidationError(NOT_A_VIDEO, code="invalid_video")
    return extension


def validate_video_upload(value) -> None:
    """Every path to the model (the admin, the shell, a script) refuses what
    is not a video; a file already stored is not read again on each save."""
    if value and not getattr(value, "_committed", True):
        check(value.file)


class VideoUploadField(forms.FileField):
    """The form side: a message at the field; browsers offer only videos."""

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is not None:
            check(upload)
        return upload

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = ",".join(CONTENT_TYPES.values())
        return attrs


class CheckedVideoField(models.FileField):
    """A video column whose new files are checked by content and stored as
    ``<uuid>.<mp4|webm>``, whatever name they came with."""

    default_validators = [validate_video_upload]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": VideoUploadField, **kwargs})

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            extension = check(file.file)
            file.name = f"{uuid.uuid4().hex}.{extension}"
        return super().pre_save(model_instance, add)

"""Uploaded pictures (an exercise's, a trainer's photo): only real JPEG, PNG,
WebP and GIF images, re-encoded.

Pillow opening a file proves only that an image is in it: a GIF with a PDF
appended opens fine, and under a ``.pdf`` name the browser would have run it
as a PDF from the club's own origin. So the format is read from the content,
the picture is written afresh by Pillow (whatever followed the image, and its
EXIF with the phone's location, is gone) and stored under a name we make,
with the extension of the format Pillow wrote.
"""

import uuid
from io import BytesIO

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

NOT_AN_IMAGE = "Upload a JPEG, PNG, WebP or GIF image."
TOO_BIG = "This image is too big: upload one under 10 MB and 40 megapixels."
TOO_LONG = "This animation has too many frames: upload one with at most 100 frames."

MAX_BYTES = 10 * 1024 * 1024
# Checked from the header before anything is decoded, so a small file that
# unpacks to gigabytes (a decompression bomb) is refused without being unpacked.
MAX_PIXELS = 40_000_000
MAX_FRAMES = 100
# Every frame decoded counts: a 1000x1000 GIF of 100 frames is 100 megapixels.
MAX_DECODED_PIXELS = 120_000_000
# Members see the picture on a phone: nothing needs more than this on its long side.
LONG_SIDE = 2000

# Pillow's format name -> the extension we store and the type we serve.
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
    "GIF": ("gif", "image/gif"),
}
CONTENT_TYPES = dict(FORMATS.values())
CONTENT_TYPES["jpeg"] = "image/jpeg"


def _read(upload) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    if getattr(upload, "size", None) is not None and upload.size > MAX_BYTES:
        raise ValidationError(TOO_BIG, code="too_big")
    data = upload.read(MAX_BYTES + 1)
    if hasattr(upload, "seek"):
        upload.seek(0)
    if len(data) > MAX_BYTES:
        raise ValidationError(TOO_BIG, code="too_big")
    return data


class ReencodedFile(ContentFile):
    """Bytes this module wrote from a checked image: stored as they are."""

    reencoded = True


def _open(data: bytes) -> Image.Image:
    """The image in ``data``, checked by what it is, before any pixel is decoded."""
    try:
        image = Image.open(BytesIO(data), formats=list(FORMATS))
    except Image.DecompressionBombError:
        raise ValidationError(TOO_BIG, code="too_big") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(NOT_AN_IMAGE, code="invalid_image") from None
    if image.format not in FORMATS:
        raise ValidationError(NOT_AN_IMAGE, code="invalid_image")
    width, height = image.size
    frames = getattr(image, "n_frames", 1)
    if width * height > MAX_PIXELS or width * height * frames > MAX_DECODED_PIXELS:
        raise ValidationError(TOO_BIG, code="too_big")
    if frames > MAX_FRAMES:
        raise ValidationError(TOO_LONG, code="too_long")
    return image


def _still(frame: Image.Image, *, alpha: bool, long_side: int = LONG_SIDE) -> Image.Image:
    """A fresh copy of one frame, upright, in a plain mode, without metadata."""
    frame = ImageOps.exif_transpose(frame) or frame
    frame = frame.convert("RGBA" if alpha else "RGB")
    frame.thumbnail((long_side, long_side))
    frame.info = {}
    return frame


def reencode(upload, *, photo: int | None = None) -> ContentFile:
    """The picture in ``upload`` written afresh by Pillow, named ``<uuid>.<ext>``.

    Animated GIFs and WebPs keep their frames and timing (an exercise shown
    moving is worth keeping); everything else is one upright frame. A
    ``photo`` is a small still instead: its first frame, at most that many
    pixels on its long side, as WebP (a face beside a name, a few KB).
    Raises ``ValidationError`` with a message for the trainer when it is not
    an image we take."""
    image = _open(_read(upload))
    alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
    out = BytesIO()
    if photo is not None:
        try:
            _still(image, alpha=alpha, long_side=photo).save(out, format="WEBP", quality=80)
        except Image.DecompressionBombError:
            raise ValidationError(TOO_BIG, code="too_big") from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise ValidationError(NOT_AN_IMAGE, code="invalid_image") from None
        return ReencodedFile(out.getvalue(), name=f"{uuid.uuid4().hex}.webp")
    extension, _ = FORMATS[str(image.format)]  # one of FORMATS: _open refused the rest
    try:
        if image.format in {"GIF", "WEBP"} and getattr(image, "n_frames", 1) > 1:
            durations = []
            frames = []
            for frame in ImageSequence.Iterator(image):
                durations.append(frame.info.get("duration", 100))
                frames.append(_still(frame, alpha=True))
            frames[0].save(
                out,
                format=image.format,
                save_all=True,
                append_images=frames[1:],
                duration=durations,
                loop=image.info.get("loop", 0),
                disposal=2,
            )
        else:
            still = _still(image, alpha=alpha and image.format != "JPEG")
            options = {"quality": 85} if image.format in {"JPEG", "WEBP"} else {}
            still.save(out, format=image.format, **options)
    except Image.DecompressionBombError:
        raise ValidationError(TOO_BIG, code="too_big") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        # Truncated or corrupt past the header.
        raise ValidationError(NOT_AN_IMAGE, code="invalid_image") from None
    return ReencodedFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def validate_image_upload(value) -> None:
    """Model-level check of a new upload, so every path (admin, shell, a
    future form) refuses what is not a picture. A file already stored was
    checked when it came in, and is not read again on every save."""
    if not value or getattr(value, "_committed", True):
        return
    if not getattr(value.file, "reencoded", False):
        reencode(value.file)


class ImageUploadField(forms.ImageField):
    """The form side: a message at the field, and the re-encoded file in
    ``cleaned_data``, so what is saved is what Pillow wrote."""

    default_validators: list = []  # the extension proves nothing; the content is checked
    default_error_messages = {"invalid_image": NOT_AN_IMAGE}

    def __init__(self, *args, photo: int | None = None, **kwargs):
        self.photo = photo
        super().__init__(*args, **kwargs)

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        return reencode(upload, photo=self.photo)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = ",".join(sorted(set(CONTENT_TYPES.values())))
        return attrs


class ReencodedImageField(models.ImageField):
    """An image column whose new files are always ones Pillow wrote, under a
    generated name, whichever way they arrive (a form, the shell, a script).
    With ``photo``, each is a small still (see ``reencode``)."""

    default_validators = [validate_image_upload]

    def __init__(self, *args, photo: int | None = None, **kwargs):
        self.photo = photo
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.photo is not None:
            kwargs["photo"] = self.photo
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ImageUploadField, "photo": self.photo, **kwargs})

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed and not getattr(file.file, "reencoded", False):
            content = reencode(file.file, photo=self.photo)
            file.save(content.name, content, save=False)
            return file
        return super().pre_save(model_instance, add)

"""Re-encoding an exercise picture: caps, frames, orientation, metadata."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image

from routines import images
from tests.routines.test_uploads import picture


def test_a_file_over_the_byte_cap_is_refused():
    big = ContentFile(b"\0" * (images.MAX_BYTES + 1), name="big.png")
    with pytest.raises(ValidationError) as refused:
        images.reencode(big)
    assert refused.value.messages == [images.TOO_BIG]


def test_animated_gifs_keep_their_frames_and_timing():
    frames = [Image.new("RGB", (8, 8), colour) for colour in ["red", "green", "blue"]]
    out = BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    stored = Image.open(BytesIO(images.reencode(ContentFile(out.getvalue())).read()))
    assert stored.n_frames == 3
    assert stored.info["duration"] == 200


def test_a_photo_is_turned_upright_and_loses_its_exif():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to view
    exif[0x010F] = "Phone maker"
    photo = picture("JPEG", size=(40, 20), exif=exif.tobytes())
    stored = Image.open(BytesIO(images.reencode(ContentFile(photo)).read()))
    assert stored.size == (20, 40)
    assert not stored.getexif()


def test_a_large_photo_is_scaled_to_what_a_phone_shows():
    photo = picture("JPEG", size=(4000, 3000))
    stored = Image.open(BytesIO(images.reencode(ContentFile(photo)).read()))
    assert stored.size == (images.LONG_SIDE, 1500)

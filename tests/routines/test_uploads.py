"""Exercise pictures: only real images come in, re-encoded under a name we
make, and /media/ serves nothing but pictures, with their own type."""

import re
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from routines.models import Exercise
from tests.routines.factories import ExerciseFactory

PDF_PAYLOAD = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n/JavaScript (app.alert(1))\n%%EOF\n"


def picture(format_: str, *, size=(8, 8), mode="RGB", **options) -> bytes:
    out = BytesIO()
    Image.new(mode, size, "green").save(out, format_, **options)
    return out.getvalue()


def gif_with_pdf() -> bytes:
    """What was found: a real GIF, a PDF after its trailer."""
    return picture("GIF") + PDF_PAYLOAD


def exercise_form(exercise: Exercise, **extra) -> dict:
    data = {
        "name": exercise.name,
        "slug": exercise.slug,
        "purpose": exercise.purpose,
        "setup": exercise.setup,
        "execution": exercise.execution,
        "cues": exercise.cues,
        "image_alt": "Standing against a wall",
        "video_url": "",
        "knobs-TOTAL_FORMS": "0",
        "knobs-INITIAL_FORMS": "0",
        "knobs-MIN_NUM_FORMS": "0",
        "knobs-MAX_NUM_FORMS": "1000",
    }
    data.update(extra)
    return data


def upload(client, exercise, name: str, content: bytes, **extra):
    data = exercise_form(exercise, image=SimpleUploadedFile(name, content), **extra)
    return client.post(f"/admin/routines/exercise/{exercise.pk}/change/", data)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def member_client(member):
    """The member in a browser of their own, beside the trainer's."""
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_a_gif_with_a_pdf_appended_is_stored_reencoded_and_served_as_a_gif(
    trainer_client, member_client, media
):
    exercise = ExerciseFactory()
    response = upload(trainer_client, exercise, "x.pdf", gif_with_pdf())
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert re.fullmatch(r"exercises/[0-9a-f]{32}\.gif", exercise.image.name)
    stored = (media / exercise.image.name).read_bytes()
    assert PDF_PAYLOAD not in stored
    assert Image.open(BytesIO(stored)).format == "GIF"

    served = member_client.get(exercise.image.url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/gif"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"] == "inline"
    assert b"%PDF" not in body(served)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "extension", "content_type"),
    [
        ("tibialis.png", picture("PNG", mode="RGBA"), "png", "image/png"),
        ("calf raise.JPG", picture("JPEG"), "jpg", "image/jpeg"),
        ("reach.webp", picture("WEBP"), "webp", "image/webp"),
        # Named wrongly, still a PNG: stored and served as one.
        ("band.gif", picture("PNG"), "png", "image/png"),
    ],
    ids=["png", "jpeg", "webp", "png-named-gif"],
)
def test_pictures_are_accepted_and_served_with_their_type(
    trainer_client, member_client, media, name, content, extension, content_type
):
    exercise = ExerciseFactory()
    assert upload(trainer_client, exercise, name, content).status_code == 302
    exercise.refresh_from_db()
    assert re.fullmatch(rf"exercises/[0-9a-f]{{32}}\.{extension}", exercise.image.name)
    served = member_client.get(exercise.image.url)
    assert served["Content-Type"] == content_type
    assert Image.open(BytesIO(body(served))).size == (8, 8)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.png", b"Not a picture at all, only words.\n"),
        ("x.pdf", PDF_PAYLOAD),
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
        # Pillow reads these, but they are not formats we take.
        ("old.bmp", picture("BMP")),
        ("scan.tiff", picture("TIFF")),
        # The header of a PNG and nothing behind it.
        ("cut.png", picture("PNG")[:40]),
    ],
    ids=["text", "pdf", "svg", "bmp", "tiff", "truncated"],
)
def test_anything_else_is_refused_at_the_field_and_nothing_typed_is_lost(
    trainer_client, media, name, content
):
    exercise = ExerciseFactory()
    response = upload(trainer_client, exercise, name, content, purpose="Typed just now.")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["image"] == ["Upload a JPEG, PNG, WebP or GIF image."]
    assert "Typed just now." in response.text
    exercise.refresh_from_db()
    assert not exercise.image
    assert list(media.rglob("*.*")) == []


@pytest.mark.django_db
def test_a_decompression_bomb_is_refused_before_it_is_decoded(trainer_client, media):
    # 8000 x 8000 of one colour: a few kilobytes of PNG, 64 megapixels unpacked.
    bomb = picture("PNG", size=(8000, 8000), mode="1")
    assert len(bomb) < 100_000
    response = upload(trainer_client, ExerciseFactory(), "bomb.png", bomb)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["image"] == [
        "This image is too big: upload one under 10 MB and 40 megapixels."
    ]


@pytest.mark.django_db
def test_every_path_to_the_model_is_checked_and_reencoded(media):
    """Not only the admin: the model refuses a non-image and re-encodes on save."""
    exercise = ExerciseFactory()
    exercise.image = ContentFile(b"words", name="x.png")
    with pytest.raises(ValidationError) as refused:
        exercise.full_clean()
    assert refused.value.message_dict["image"] == ["Upload a JPEG, PNG, WebP or GIF image."]

    exercise.image = ContentFile(gif_with_pdf(), name="x.pdf")
    exercise.image_alt = "A wall"
    exercise.full_clean()
    exercise.save()
    assert exercise.image.name.endswith(".gif")
    assert PDF_PAYLOAD not in (media / exercise.image.name).read_bytes()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["exercises/x.pdf", "exercises/x.ps", "exercises/x.html", "x"])
def test_media_serves_only_pictures(client, media, name):
    """A file that got under /media/ some other way is never served inline."""
    (media / "exercises").mkdir()
    if name != "x":
        (media / name).write_bytes(gif_with_pdf())
    assert client.get(f"/media/{name}").status_code == 404


@pytest.mark.django_db
def test_a_stored_picture_is_never_sniffed_as_something_else(client, media):
    """A picture stored before uploads were re-encoded keeps its payload, but
    is served as the picture its name says, never as what is inside."""
    (media / "exercises").mkdir()
    (media / "exercises" / "old.gif").write_bytes(gif_with_pdf())
    served = client.get("/media/exercises/old.gif")
    assert served["Content-Type"] == "image/gif"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]
    assert served["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.django_db
def test_the_field_tells_the_browser_which_files_to_offer(trainer_client):
    exercise = ExerciseFactory()
    html = trainer_client.get(f"/admin/routines/exercise/{exercise.pk}/change/").text
    assert 'accept="image/gif,image/jpeg,image/png,image/webp"' in html

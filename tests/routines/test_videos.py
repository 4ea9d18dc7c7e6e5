"""Exercise videos the club films: MP4 or WebM by their content, under a size
limit, stored under a name we make, served in ranges, and shown in the guide
muted, looping, and loaded only when played."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from routines.models import Exercise
from routines.videos import NOT_A_VIDEO, TOO_BIG
from tests.factories import ground_up_routine
from tests.html import elements
from tests.members.logger_helpers import started_workout
from tests.routines.factories import ExerciseFactory
from tests.routines.test_uploads import PDF_PAYLOAD, body, exercise_form, picture

# The first bytes of each kind (what the check reads), then filler standing
# for the frames.
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(range(256)) * 40
WEBM = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
    b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02" + b"\x00" * 4096
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(client, exercise, name: str, content: bytes, **extra):
    data = exercise_form(exercise, video=SimpleUploadedFile(name, content), **extra)
    return client.post(f"/admin/routines/exercise/{exercise.pk}/change/", data)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "stored"), [("tib.mov", MP4, "mp4"), ("tib.mp4", WEBM, "webm")]
)
def test_a_video_is_known_by_its_content_and_stored_under_our_name(
    trainer_client, media, name, content, stored
):
    exercise = ExerciseFactory()
    response = upload(trainer_client, exercise, name, content)
    assert response.status_code == 302, response.content.decode()[-3000:]
    exercise.refresh_from_db()
    assert exercise.video.name.startswith("exercises/videos/")
    assert exercise.video.name.endswith(f".{stored}") and name not in exercise.video.name
    assert (media / exercise.video.name).read_bytes() == content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [PDF_PAYLOAD, b"not a video", picture("PNG"), b"\x00\x00\x00\x18ftypqt  " + b"\x00" * 64],
    ids=["pdf", "text", "png", "quicktime"],
)
def test_a_file_that_is_not_a_video_is_refused_at_the_field(trainer_client, media, content):
    exercise = ExerciseFactory()
    response = upload(trainer_client, exercise, "tib.mp4", content, image_alt="Kept as typed")
    assert response.status_code == 200
    assert NOT_A_VIDEO in response.content.decode()
    assert 'value="Kept as typed"' in response.content.decode()
    assert not Exercise.objects.get(pk=exercise.pk).video
    assert not list(media.rglob("*.mp4"))


@pytest.mark.django_db
def test_a_video_over_the_limit_is_refused(trainer_client, media, monkeypatch):
    monkeypatch.setattr("routines.videos.MAX_BYTES", len(MP4) - 1)
    exercise = ExerciseFactory()
    response = upload(trainer_client, exercise, "tib.mp4", MP4)
    assert response.status_code == 200
    assert TOO_BIG in response.content.decode()
    assert not Exercise.objects.get(pk=exercise.pk).video


@pytest.fixture
def stored(media):
    (media / "exercises" / "videos").mkdir(parents=True)
    (media / "exercises" / "videos" / "clip.mp4").write_bytes(MP4)
    return "/media/exercises/videos/clip.mp4"


def test_a_video_is_served_whole_with_its_type_and_ranges_offered(client, stored):
    served = client.get(stored)
    assert served.status_code == 200
    assert served["Content-Type"] == "video/mp4"
    assert served["Accept-Ranges"] == "bytes"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert body(served) == MP4


@pytest.mark.parametrize(
    ("asked", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, len(MP4) - 1), ("bytes=-50", len(MP4) - 50,
     len(MP4) - 1), ("bytes=10-999999", 10, len(MP4) - 1)],
)  # fmt: skip
def test_a_range_is_answered_with_206_and_those_bytes(client, stored, asked, first, last):
    served = client.get(stored, headers={"Range": asked})
    assert served.status_code == 206
    assert served["Content-Range"] == f"bytes {first}-{last}/{len(MP4)}"
    assert served["Content-Length"] == str(last - first + 1)
    assert body(served) == MP4[first : last + 1]


def test_a_range_past_the_end_is_416_and_one_not_understood_sends_it_all(client, stored):
    past = client.get(stored, headers={"Range": f"bytes={len(MP4)}-"})
    assert past.status_code == 416
    assert past["Content-Range"] == f"bytes */{len(MP4)}"
    assert "Cache-Control" not in past  # a refusal is not kept
    several = client.get(stored, headers={"Range": "bytes=0-1,5-9"})
    assert several.status_code == 200 and body(several) == MP4


def test_nothing_outside_the_media_folder_is_served(client, stored):
    assert client.get("/media/../settings.mp4").status_code == 404
    assert client.get("/media/exercises/videos/missing.webm").status_code == 404


@pytest.fixture
def tibialis(db):
    # Seeded by a migration; seeded again if a test that empties the
    # database (transaction=True) ran before this one on the same worker.
    routine = ground_up_routine()
    return routine, routine.steps.get(exercise__slug="tibialis-raise").exercise


@pytest.mark.django_db
def test_the_guide_shows_it_muted_looping_and_loaded_only_when_played(
    trainer_client, member, media, tibialis
):
    ground_up, exercise = tibialis
    poster = SimpleUploadedFile("first.png", picture("PNG", size=(64, 36)))
    response = upload(
        trainer_client, exercise, "tib.webm", WEBM, video_poster=poster, image_alt=""
    )
    assert response.status_code == 302
    exercise.refresh_from_db()
    alex = Client()
    alex.force_login(member)
    html = alex.get(ground_up.get_absolute_url()).content.decode()
    (video,) = elements(html, "video")
    assert {"muted", "loop", "playsinline", "controls"} <= set(video)
    assert video["preload"] == "none" and "autoplay" not in video
    assert video["poster"] == exercise.video_poster.url
    (source,) = elements(html, "source")
    assert (source["src"], source["type"]) == (exercise.video.url, "video/webm")
    assert "Watch Tibialis raise: a video without sound" in html


@pytest.mark.django_db
def test_the_logger_card_offers_the_video_without_loading_it(
    trainer_client, member, trainer, media, tibialis
):
    """The logger's first load stays within its budget: the video is offered,
    and nothing of it is fetched until the member plays it."""
    _, exercise = tibialis
    assert upload(trainer_client, exercise, "tib.mp4", MP4, image_alt="").status_code == 302
    exercise.refresh_from_db()
    workout = started_workout(member, trainer)
    alex = Client()
    alex.force_login(member)
    html = alex.get(f"/me/sessions/{workout.pk}/").content.decode()
    # On the card, folded under "How to do it": played when asked, muted,
    # looping, and nothing of it (not even a picture) fetched before.
    (video,) = elements(html, "video")
    assert {"muted", "loop", "playsinline", "controls"} <= set(video)
    assert video["preload"] == "none" and "poster" not in video and "autoplay" not in video
    assert video["aria-label"] == "Tibialis raise: a video without sound"

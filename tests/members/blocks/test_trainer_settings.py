"""A trainer's own settings: which emails they get, and the photo and few
words their members see on Today."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from members.logbook.sets import report_pain
from members.models import EmailDelivery, Profile
from members.models.accounts import PHOTO_SIDE
from members.questions import services as questions
from tests.html import elements
from tests.members.logger_helpers import started_workout, step
from tests.members.questions.contact import MESSAGE
from tests.routines.test_uploads import PDF_PAYLOAD, body, picture

pytestmark = pytest.mark.django_db

SAVED = {
    "display_name": "Makana",
    "units": "imperial",
    "weekly_digest": "on",
    "pain_alerts": "on",
    "question_emails": "on",
}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_trainer_chooses_their_emails_and_a_member_does_not_see_them(trainer, member):
    mine = _client(trainer).get("/me/settings/").content.decode()
    for name in ("weekly_digest", "pain_alerts", "question_emails", "bio"):
        assert elements(mine, name=name), name
    assert elements(mine, "input", type="file", name="photo")
    assert elements(mine, "form", enctype="multipart/form-data")
    theirs = _client(member).get("/me/settings/").content.decode()
    for name in ("weekly_digest", "pain_alerts", "question_emails", "photo", "bio"):
        assert not elements(theirs, name=name), name
    assert elements(theirs, name="session_reminders")


def test_a_photo_and_bio_are_saved_small_and_shown_to_members_on_today(
    trainer, member, block, media
):
    coach = _client(trainer)
    photo = SimpleUploadedFile("me.png", picture("PNG", size=(900, 600)))
    bio = "  Physio-trained coach. At the club Mondays and Thursdays, 7 to 11.  "
    response = coach.post("/me/settings/", {**SAVED, "bio": bio, "photo": photo})
    assert response.status_code == 302
    profile = Profile.objects.get(user=trainer)
    assert profile.bio == bio.strip()
    assert profile.photo.name.startswith("trainers/") and profile.photo.name.endswith(".webp")
    with Image.open(profile.photo.path) as stored:
        assert (stored.format, stored.size) == ("WEBP", (PHOTO_SIDE, PHOTO_SIDE * 2 // 3))

    today = _client(member).get("/me/").content.decode()
    (card,) = elements(today, "section", class_="trainer-card")
    assert card["aria-labelledby"] == "trainer-title"
    (img,) = elements(today, "img", class_="trainer-photo")
    assert img["src"] == profile.photo.url and img["alt"] == ""
    assert "Your trainer, Makana" in today and bio.strip() in today
    served = Client().get(img["src"])
    assert served["Content-Type"] == "image/webp"
    assert body(served)[:4] == b"RIFF"


def test_the_photo_can_be_removed(trainer, media):
    coach = _client(trainer)
    photo = SimpleUploadedFile("me.png", picture("PNG", size=(300, 300)))
    assert coach.post("/me/settings/", {**SAVED, "photo": photo}).status_code == 302
    page = coach.get("/me/settings/").content.decode()
    (now,) = elements(page, "img", alt="Your photo now")
    assert now["src"] == Profile.objects.get(user=trainer).photo.url
    (remove,) = elements(page, "input", type="checkbox", name="photo-clear")
    response = coach.post("/me/settings/", {**SAVED, remove["name"]: "on"})
    assert response.status_code == 302
    assert Profile.objects.get(user=trainer).photo.name == ""


def test_without_a_photo_or_bio_today_has_no_trainer_card(member, block):
    today = _client(member).get("/me/").content.decode()
    assert not elements(today, "section", class_="trainer-card")


@pytest.mark.parametrize(
    ("name", "content"),
    [("me.jpg", PDF_PAYLOAD), ("me.png", b"not a picture at all"), ("me.gif", b"GIF89a")],
)
def test_a_file_that_is_not_a_picture_is_refused_at_the_field(trainer, media, name, content):
    bio = "Coach at the club since 2019."
    response = _client(trainer).post(
        "/me/settings/", {**SAVED, "bio": bio, "photo": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Upload a JPEG, PNG, WebP or GIF image." in html
    (summary,) = elements(html, "div", class_="error-summary")  # at the top, too
    assert summary["role"] == "alert"
    (box,) = elements(html, "textarea", name="bio")
    assert bio in html  # what was typed is kept
    assert box.get("aria-invalid") is None
    profile = Profile.objects.get(user=trainer)
    assert (profile.bio, profile.photo.name) == ("", "")
    assert not list(media.rglob("*"))


def test_a_bio_over_its_length_is_said_at_the_field(trainer):
    response = _client(trainer).post("/me/settings/", {**SAVED, "bio": "x" * 301})
    assert response.status_code == 422
    assert "Ensure this value has at most 300 characters (it has 301)." in response.text
    assert Profile.objects.get(user=trainer).bio == ""


def _turn_off(trainer, name):
    Profile.objects.filter(user=trainer).update(**{name: False})


@pytest.mark.parametrize("wanted", [True, False])
def test_pain_alerts_go_at_once_unless_turned_off(
    member, trainer, wanted, django_capture_on_commit_callbacks
):
    if not wanted:
        _turn_off(trainer, "pain_alerts")
    with django_capture_on_commit_callbacks(execute=True):
        workout = started_workout(member, trainer)
        report_pain(workout=workout, step_id=step(workout, "Calf raise")["id"], level=4)
    alert = EmailDelivery.objects.get(kind="pain_alert")
    if wanted:
        assert alert.state == "sent" and [m.to for m in mail.outbox] == [[trainer.email]]
    else:
        assert alert.state == "skipped" and mail.outbox == []
        assert "dashboard" in alert.skipped_because
    # Either way the dashboard shows it first.
    dashboard = _client(trainer).get("/trainer/").content.decode()
    assert "Pain 4/10" in dashboard


@pytest.mark.parametrize("wanted", [True, False])
def test_question_emails_go_unless_turned_off(member, trainer, block, wanted):
    if not wanted:
        _turn_off(trainer, "question_emails")
    question = questions.ask(
        member=member, name="Alex", email=member.email, subject="Wall", message=MESSAGE
    )
    questions.answer(question=question, trainer=trainer, text="Move closer.")
    questions.member_reply(question=question, member=member, text="How close?")
    states = dict(question.deliveries.values_list("kind", "state"))
    to_trainer = "sent" if wanted else "skipped"
    assert states == {
        "question": to_trainer,
        "question_receipt": "sent",
        "answer": "sent",
        "reply_to_trainer": to_trainer,
    }
    assert (trainer.email in {m.to[0] for m in mail.outbox}) is wanted

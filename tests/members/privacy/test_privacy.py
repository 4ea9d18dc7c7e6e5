"""A member downloads everything kept about them, or deletes their account;
both after giving their password again. A deleted account leaves no name
behind, and their trainer's totals still count what they did."""

import csv
import io
import json

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from members.logbook.sets import log_set, report_pain
from members.logbook.workouts import finish_workout
from members.models import (
    Assignment,
    BlockStanding,
    CheckIn,
    EmailDelivery,
    PainFlag,
    Profile,
    Question,
    Reply,
    SetLog,
    TrainerNote,
    User,
    Workout,
)
from members.outcomes.services import record_check_in
from tests.factories import PASSWORD, put_on_block
from tests.members.logger_helpers import no_pain, started_workout, step

pytestmark = pytest.mark.django_db

DATA = "/me/settings/data/"
JSON = "/me/settings/data.json"
CSV = "/me/settings/sets.csv"
DELETE = "/me/settings/delete/"


def _reauthenticate(client, next_url, password=PASSWORD):
    return client.post("/accounts/reauthenticate/", {"password": password, "next": next_url})


@pytest.fixture
def trained(member, trainer):
    """Alex mid-block: sets logged, a pain report with a note, a trainer's note
    and reply, a question, and a name a spreadsheet would run."""
    Profile.objects.filter(user=member).update(display_name="=HYPERLINK(evil)")
    workout = started_workout(member, trainer)
    calf = step(workout, "Calf raise")["id"]
    log_set(workout=workout, step_id=calf, set_number=1, side="both", reps=25)
    log_set(workout=workout, step_id=calf, set_number=2, side="both", reps=22)
    report_pain(workout=workout, step_id=calf, level=3, note="Left heel after set two")
    block = workout.planned_session.assignment
    TrainerNote.objects.create(assignment=block, author=trainer, text="Ease the calf raises.")
    question = Question.objects.create(
        member=member,
        name="Alex",
        email=member.email,
        trainer=trainer,
        to_email=trainer.email,
        subject="Heel",
        message="Is a sore heel normal?",
    )
    Reply.objects.create(question=question, author=member, from_trainer=False, text="Both.")
    return workout


def test_downloads_ask_for_the_password_first(member_client):
    for url in [DATA, JSON, CSV]:
        response = member_client.get(url)
        assert response.status_code == 302
        assert response.url == f"/accounts/reauthenticate/?next={url.replace('/', '%2F')}"
    page = member_client.get("/accounts/reauthenticate/?next=" + DATA)
    assert "Confirm it's you" in page.text
    assert '<label for="id_password">' in page.text

    wrong = _reauthenticate(member_client, DATA, password="not-it")
    assert wrong.status_code == 200
    assert "Incorrect password." in wrong.text
    assert member_client.get(JSON).status_code == 302

    confirmed = _reauthenticate(member_client, DATA)
    assert confirmed.status_code == 302 and confirmed.url == DATA
    page = member_client.get(DATA)
    assert page.status_code == 200
    assert f'href="{JSON}"' in page.text and f'href="{CSV}"' in page.text
    assert page["Cache-Control"].startswith("max-age=0")


def test_the_json_has_everything_about_the_member_and_nothing_about_anyone_else(
    member_client, member, second_member, trainer, trained
):
    other = started_workout(second_member, trainer)
    report_pain(
        workout=other, step_id=step(other, "Calf raise")["id"], level=5, note="Jordan's knee"
    )
    _reauthenticate(member_client, JSON)

    response = member_client.get(JSON)

    assert response["Content-Type"] == "application/json; charset=utf-8"
    day = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="ground-up-data-{day:%Y-%m-%d}.json"'
    )
    data = json.loads(response.content)
    assert data["account"]["email"] == "alex@example.com"
    assert data["settings"]["trainer"] == "Makana"
    (block,) = data["blocks"]
    assert block["routine"] == "Reversing Foot, Ankle, and Knee Pain"
    assert len(block["sessions"]) == 8
    assert block["notes_from_your_trainer"][0]["text"] == "Ease the calf raises."
    (workout,) = data["workouts"]
    assert [(s["exercise"], s["set"], s["done"]) for s in workout["sets"]] == [
        ("Calf raise", 1, "25 reps"),
        ("Calf raise", 2, "22 reps"),
    ]
    assert data["pain_reports"][0]["note"] == "Left heel after set two"
    assert data["questions"][0]["message"] == "Is a sore heel normal?"
    (reply,) = data["questions"][0]["replies"]
    assert (reply["from"], reply["text"]) == ("you", "Both.")
    assert "Jordan" not in response.text and "jordan@example.com" not in response.text


def test_the_csv_has_one_row_per_set_and_neutralises_formulas(member_client, trained):
    SetLog.objects.filter(set_number=2).update(knobs={"=cmd": "+1"})
    _reauthenticate(member_client, CSV)

    response = member_client.get(CSV)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["date", "routine", "session", "exercise"]
    assert [(row[3], row[5], row[7]) for row in rows[1:]] == [
        ("Calf raise", "1", "25 reps"),
        ("Calf raise", "2", "22 reps"),
    ]
    assert rows[2][8] == "'=cmd: +1"


@pytest.mark.parametrize("sessions", [1, 4])
def test_the_json_takes_the_same_queries_for_any_amount_of_training(
    member_client, member, trainer, sessions, django_assert_num_queries
):
    from tests.members.logger_helpers import finished_workout

    block = put_on_block(member, trainer=trainer, start_date=timezone.localdate())
    for session in block.planned_sessions.order_by("number")[:sessions]:
        finished_workout(member, session, wall=12)
    # A check-in for each of the first three sessions.
    for kind in list(CheckIn.Kind)[: min(sessions, 3)]:
        record_check_in(
            block,
            kind,
            areas={"feet": (5, 2), "knees": (4, 1)},
            new_activities=[("Stairs", 4)] if kind == CheckIn.Kind.BASELINE else [],
            scores={} if kind == CheckIn.Kind.BASELINE else {block.activities.get().pk: 6},
            today=timezone.localdate(),
        )
    _reauthenticate(member_client, JSON)
    # Session and user; the profile with the trainer, and the member's name;
    # email addresses; blocks with their sessions and notes (3); workouts with
    # sets, knob settings and their knobs and exercises (6); check-ins with
    # their areas and scores (3); pain; overrides; questions; emails; the
    # phone's action keys.
    with django_assert_num_queries(22):
        response = member_client.get(JSON)
    data = json.loads(response.content)
    assert len(data["workouts"]) == sessions
    assert len(data["check_ins"]) == min(sessions, 3)


def test_deleting_asks_for_the_password_then_to_confirm_then_forgets_the_person(
    member_client, member, trainer, trained
):
    trainer_client = Client()
    trainer_client.force_login(trainer)
    before = trainer_client.get("/trainer/members/")
    assert "Sessions done with you so far: 0 by 0 members" in before.text
    no_pain(trained)
    finish_workout(workout=trained)
    totals_before = trainer_client.get("/trainer/members/").text
    assert "Sessions done with you so far: 1 by 1 member," in totals_before
    assert trainer_client.get("/trainer/").status_code == 200  # the dashboard keeps a standing
    assert BlockStanding.objects.filter(assignment__member=member).exists()
    other_device = Client()
    other_device.force_login(member)

    page = member_client.get(DELETE)
    assert page.status_code == 200 and "What stays, without your name" in page.text
    unticked = member_client.post(DELETE, {})
    assert unticked.status_code == 302  # The password comes first...
    _reauthenticate(member_client, "/me/settings/")
    unticked = member_client.post(DELETE, {})
    assert unticked.status_code == 422  # ...then the box, at its field.
    assert 'id="confirm-error" role="alert">Tick the box' in unticked.text
    assert User.objects.get(pk=member.pk).is_active

    deleted = member_client.post(DELETE, {"confirm": "yes"}, follow=True)

    assert deleted.redirect_chain == [("/", 302)]
    assert "Your account is deleted." in deleted.text
    gone = User.objects.select_related("profile").get(pk=member.pk)
    assert not gone.is_active and not gone.has_usable_password()
    assert gone.email.endswith("@deleted.invalid") and gone.display_name == "Former member"
    assert gone.profile.forgotten_at and gone.profile.calendar_token is None
    assert not EmailAddress.objects.filter(user=gone).exists()
    # Every word by or to them is gone; what they did stays, unnamed.
    assert not Question.objects.exists() and not TrainerNote.objects.exists()
    assert not Reply.objects.exists() and not BlockStanding.objects.exists()
    assert not EmailDelivery.objects.filter(recipient=gone).exists()
    assert PainFlag.objects.get().note == "" and PainFlag.objects.get().level == 3
    assert SetLog.objects.filter(workout__member=gone).count() == 2
    assert Workout.objects.filter(member=gone, finished_at__isnull=False).count() == 1
    assert not Assignment.objects.current().filter(member=gone).exists()
    # Signed out everywhere, and the old password opens nothing.
    assert other_device.get("/me/").status_code == 302
    sign_in = Client().post(
        "/accounts/login/", {"login": "alex@example.com", "password": PASSWORD}
    )
    assert sign_in.status_code == 200 and "not correct" in sign_in.text
    # The trainer: the totals still count them; nowhere a name.
    after = trainer_client.get("/trainer/members/").text
    assert "Sessions done with you so far: 1 by 1 member," in after
    assert "Alex" not in after and "HYPERLINK" not in after and "Former member" not in after
    assert trainer_client.get(f"/trainer/members/{member.pk}/").status_code == 404
    assert "HYPERLINK" not in trainer_client.get("/trainer/").text
    export = trainer_client.get("/trainer/export.csv")
    assert b"".join(export.streaming_content).decode().count("\n") == 1  # the header only
    assert "Former" not in trainer_client.get("/trainer/members/", {"q": "former"}).text


def test_a_trainer_downloads_their_own_data_but_cannot_delete_here(trainer_client):
    _reauthenticate(trainer_client, JSON)
    data = json.loads(trainer_client.get(JSON).content)
    assert data["account"]["email"] == "makana@example.com" and data["workouts"] == []
    page = trainer_client.get(DELETE)
    assert page.status_code == 403 and "closed by the club's admin" in page.text
    assert trainer_client.post(DELETE, {"confirm": "yes"}).status_code == 403
    assert User.objects.get(email="makana@example.com").is_active


def test_trainers_cannot_download_other_trainers_members(member, trainer, other_trainer, trained):
    no_pain(trained)
    finish_workout(workout=trained)
    kai = Client()
    kai.force_login(other_trainer)
    export = kai.get("/trainer/export.csv")
    assert b"".join(export.streaming_content).decode().count("\n") == 1
    assert kai.get("/trainer/export.csv", {"member": member.pk}).status_code == 404
    # A member's own downloads are only ever their own: there is no id to change.
    _reauthenticate(kai, JSON)
    assert "alex@example.com" not in kai.get(JSON).text

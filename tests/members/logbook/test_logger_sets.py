"""Logging a set on the logger, with htmx (the row) and without (a redirect):
counts, timed sets, bad input at the field, and steps not in the session."""

import pytest

from members.logbook.sets import log_set
from members.logbook.workouts import finish_workout
from members.models import KnobSetting, PainFlag, Profile, SetLog
from routines.models import Knob
from tests.members import logger_helpers as helpers


@pytest.mark.django_db
def test_logging_a_set_without_htmx_redirects_to_the_row(member_client, workout):
    data = helpers.set_post(workout, "Tibialis raise", reps="25")
    response = member_client.post(helpers.session_url(workout, "sets/"), data)
    key = f"{data['step']}-1-both"
    assert response.status_code == 302
    assert response["Location"] == f"{helpers.session_url(workout)}#set-{key}"
    assert SetLog.objects.get().reps == 25


@pytest.mark.django_db
def test_logging_a_set_with_htmx_returns_the_row_and_the_progress(member_client, workout):
    data = helpers.set_post(workout, "Tibialis raise", reps="24")
    response = member_client.post(helpers.session_url(workout, "sets/"), data, **helpers.HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.count('class="set-row is-logged"') == 1
    assert 'id="session-progress" hx-swap-oob="true"' in response.text
    assert "1 of 18 sets done" in response.text
    # A retried request changes nothing more.
    member_client.post(helpers.session_url(workout, "sets/"), data, **helpers.HTMX)
    assert SetLog.objects.count() == 1
    undo = member_client.post(helpers.session_url(workout, "sets/undo/"), data, **helpers.HTMX)
    assert 'class="set-row"' in undo.text and "0 of 18 sets done" in undo.text
    assert not SetLog.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reps": "-5"}, "Enter a number from 0 to 500."),
        ({"reps": "10000"}, "Enter a number from 0 to 500."),
        ({"reps": "twenty"}, "Enter a whole number."),
        ({"reps": "25", "side": "left"}, "This exercise is not done one side at a time."),
        ({"reps": "25", "side": ""}, "Choose left, right or both."),
        ({"reps": "25", "set_number": "x"}, "Enter a whole number."),
    ],
)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_bad_sets_get_a_message_and_save_nothing(member_client, workout, fields, message, htmx):
    data = {**helpers.set_post(workout, "Calf raise"), **fields}
    response = member_client.post(
        helpers.session_url(workout, "sets/"), data, **(helpers.HTMX if htmx else {})
    )
    assert response.status_code == 422
    assert message in response.text
    assert not SetLog.objects.exists()
    if htmx and "side" not in fields and "set_number" not in fields:
        # The row comes back with the error beside the field, and what was typed.
        assert "<html" not in response.text
        assert 'aria-invalid="true"' in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["knob", "option", "all", "pain", "weaker-side"])
@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize("sent", ["valid", "invalid"])
def test_a_step_not_in_the_session_is_a_404_that_changes_nothing(
    member_client, member, trainer, action, htmx, sent
):
    """Answered as a refusal, htmx swapped an empty card (no id, "of 0 sets")
    over the member's; the weaker side was even saved. A form the action
    would refuse is no different: the step is checked first."""
    workout = helpers.started_workout(member, trainer, weaker_side=Profile.WeakerSide.UNSURE)
    wall = Knob.objects.get(exercise__name="Tibialis raise")
    data = {"knob": wall.pk, "direction": "harder", "level": "2", "side": "left"}
    if sent == "invalid":
        data = {"knob": "x", "option": "x", "level": "99", "side": "up"}
    response = member_client.post(
        helpers.session_url(workout, f"steps/999999/{action}/"),
        data,
        **(helpers.HTMX if htmx else {}),
    )
    assert response.status_code == 404
    assert Profile.objects.get(user=member).weaker_side == Profile.WeakerSide.UNSURE
    assert not PainFlag.objects.exists()
    assert not KnobSetting.objects.exists()
    assert not SetLog.objects.exists()


# The timed step: "Stop and log" sends what the timer showed, to the second.


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "seconds"), [("7:42", 462), ("8", 480), (" 0:45 ", 45)])
def test_a_timed_set_is_stored_in_seconds(member_client, workout, typed, seconds):
    """It was a whole minute, at least one: 7 min 42 s became 8 and "7:42"
    was refused."""
    walking = helpers.set_post(workout, "Backwards walking", minutes=typed)
    response = member_client.post(helpers.session_url(workout, "sets/"), walking, **helpers.HTMX)
    assert response.status_code == 200
    assert SetLog.objects.get(workout=workout).seconds == seconds
    shown = f"{seconds // 60}:{seconds % 60:02d}"
    assert f'value="{shown}"' in response.text  # the logged row reads as the timer did


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("7:60", "minutes and seconds (7:42)"),
        ("7.5", "minutes and seconds (7:42)"),
        ("ten", "minutes and seconds (7:42)"),
        ("7:4", "minutes and seconds (7:42)"),
        ("", "minutes and seconds (7:42)"),
        ("٧", "minutes and seconds (7:42)"),
        ("0:00", "from 0:01 to 180:00"),
        ("181", "from 0:01 to 180:00"),
    ],
)
def test_a_typed_time_it_cannot_read_is_a_message_at_the_field(
    member_client, workout, typed, message
):
    walking = helpers.set_post(workout, "Backwards walking", minutes=typed)
    response = member_client.post(helpers.session_url(workout, "sets/"), walking, **helpers.HTMX)
    assert response.status_code == 422
    assert message in response.text and 'aria-invalid="true"' in response.text
    assert f'name="minutes" value="{typed}"' in response.text  # nothing typed is lost
    assert not SetLog.objects.exists()
    # Without JavaScript: the whole page, the message and the typed value at the row.
    page = member_client.post(helpers.session_url(workout, "sets/"), walking)
    assert page.status_code == 422 and message in page.text
    assert f'name="minutes" value="{typed}"' in page.text


@pytest.mark.django_db
def test_a_timed_set_reads_as_minutes_and_seconds_everywhere(
    member_client, member, trainer, workout
):
    """History, the trainer's page and both exports said 7.7 (or 8) minutes."""
    from django.test import Client

    from members.privacy import services as privacy

    walking = helpers.step(workout, "Backwards walking")["id"]
    log_set(workout=workout, step_id=walking, set_number=1, side="both", seconds=462)
    helpers.no_pain(workout)
    finish_workout(workout=workout, feeling="about_right")

    history = member_client.get("/me/history/")
    assert "<td>7:42</td>" in history.text

    trainer_client = Client()
    trainer_client.force_login(trainer)
    detail = trainer_client.get(f"/trainer/members/{member.pk}/")
    assert "7:42 min" in detail.text
    export = b"".join(trainer_client.get("/trainer/export.csv").streaming_content).decode()
    assert "7:42 min" in export and "10:00 min" in export  # done, and the target kept

    rows = list(privacy.set_rows(member))
    assert ["10:00 min", "7:42 min"] in [row[6:8] for row in rows]

"""A card's actions on the logger (log all, knobs, alternatives, notes, the
weaker side), with htmx and without, refusing bad input in the card."""

from decimal import Decimal

import pytest

from members.models import KnobSetting, PainFlag, Profile, SetLog, Workout
from routines.models import Knob
from tests.members.logger_helpers import (
    HTMX,
    box_height_without_bounds,
    no_pain,
    session_url,
    started_workout,
    step,
)


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_card_actions_work_with_and_without_htmx(member_client, workout, htmx):
    extra = HTMX if htmx else {}
    curl = step(workout, "Single-leg hamstring curl")["id"]
    walking = step(workout, "Backwards walking")["id"]
    nordic = step(workout, "Regressed reverse Nordic")["id"]
    band = Knob.objects.get(label="Band assistance")

    responses = [
        member_client.post(session_url(workout, f"steps/{curl}/all/"), **extra),
        member_client.post(
            session_url(workout, f"steps/{nordic}/knob/"),
            {"knob": band.pk, "direction": "easier"},
            **extra,
        ),
        member_client.post(
            session_url(workout, f"steps/{walking}/option/"),
            {"option": step(workout, "Deadmill")["id"]},
            **extra,
        ),
        member_client.post(
            session_url(workout, f"steps/{nordic}/pain/"), {"level": "2", "note": "knee"}, **extra
        ),
    ]
    for response in responses:
        if htmx:
            assert response.status_code == 200
            assert "<html" not in response.text
            assert 'class="card step-group"' in response.text
        else:
            assert response.status_code == 302
            assert response["Location"].startswith(session_url(workout) + "#step-")
    assert SetLog.objects.filter(step_id=curl).count() == 6
    assert KnobSetting.objects.get(knob=band).level == "light"
    assert Workout.objects.get().choices == {str(walking): step(workout, "Deadmill")["id"]}
    assert PainFlag.objects.get().step_id == nordic
    if htmx:
        assert "Use a resistance band for assistance" in responses[1].text
        assert "Stopped: pain 2/10" in responses[3].text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("knob", {"value": "99", "direction": "set"}, "Enter a value from 2 in to 36 in."),
        ("knob", {"value": "abc", "direction": "set"}, "Enter a number, such as 12."),
        ("pain", {"level": "11"}, "Enter a number from 0 to 10."),
        ("pain", {"level": ""}, "Choose None, or how much it hurts from 1 to 10."),
        ("option", {"option": "999999"}, "That is not an alternative for this exercise."),
    ],
)
def test_bad_card_input_is_refused_in_the_card(member_client, workout, action, data, message):
    tibialis = step(workout, "Tibialis raise")["id"]
    data = {"knob": Knob.objects.get(exercise__name="Tibialis raise").pk, **data}
    response = member_client.post(
        session_url(workout, f"steps/{tibialis}/{action}/"), data, **HTMX
    )
    assert response.status_code == 422
    assert message in response.text
    assert not KnobSetting.objects.exists()
    assert not PainFlag.objects.exists()
    assert Workout.objects.get().choices == {}


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_knob_without_bounds_keeps_to_what_a_setting_holds(member_client, workout, htmx):
    """An author may leave a knob without a range. A number past what a setting
    stores is refused at the card (it was a server error, and on SQLite a
    saved setting no page could read back); a tap stops at the largest."""
    patrick = step(workout, "Patrick step")
    knob = box_height_without_bounds(patrick["exercise_id"])
    url = session_url(workout, f"steps/{patrick['id']}/knob/")
    headers = HTMX if htmx else {}
    for value in ["1e30", "100000", "-99999.95"]:
        response = member_client.post(url, {"knob": knob.pk, "value": value}, **headers)
        assert response.status_code == 422
        assert "Enter a value from -99999.9 cm to 99999.9 cm." in response.text
    assert not KnobSetting.objects.filter(knob=knob).exists()
    member_client.post(url, {"knob": knob.pk, "value": "99999.9"}, **headers)
    response = member_client.post(url, {"knob": knob.pk, "direction": "harder"}, **headers)
    assert response.status_code == (200 if htmx else 302)
    assert KnobSetting.objects.get(knob=knob).value == Decimal("99999.9")


@pytest.mark.django_db
def test_a_note_with_a_null_character_is_refused_and_saves_nothing(member_client, workout):
    """PostgreSQL cannot store NUL in text: a note with one was a server error
    there (and saved as typed on SQLite). Refused, as Django's form fields do."""
    tibialis = step(workout, "Tibialis raise")["id"]
    pain = member_client.post(
        session_url(workout, f"steps/{tibialis}/pain/"), {"level": "4", "note": "Knee\x00"}, **HTMX
    )
    finish = member_client.post(session_url(workout, "finish/"), {"note": "Tired\x00"})
    Workout.objects.filter(pk=workout.pk).update(pain_before=None)
    before = member_client.post(
        session_url(workout, "pain-check/"), {"level": "3", "note": "\x00"}
    )
    for response in (pain, finish, before):
        assert response.status_code == 422
        assert "Null characters are not allowed." in response.text
    assert not PainFlag.objects.exists()
    workout.refresh_from_db()
    assert workout.finished_at is None and workout.pain_before is None and workout.note == ""


@pytest.mark.django_db
def test_the_extra_set_is_due_while_the_weaker_side_is_unknown(member_client, member, trainer):
    """Never answering the weaker-side question finished “17 of 17”: the third
    Patrick set was not due. It is due from the start, on a row that asks."""
    workout = started_workout(member, trainer, weaker_side=Profile.WeakerSide.UNSURE)
    patrick = step(workout, "Patrick step")["id"]
    page = member_client.get(session_url(workout)).text
    assert "0 of 18 sets done" in page
    row = page.split(f'id="set-{patrick}-3-weaker"')[1].split("</form>")[0]
    assert "Which is it?" in row and 'name="side" value="left"' in row
    for main in workout.prescription["steps"]:
        member_client.post(session_url(workout, f"steps/{main['id']}/all/"))
    page = member_client.get(session_url(workout)).text
    assert "17 of 18 sets done" in page
    assert f'id="set-{patrick}-3-weaker"' in page
    no_pain(workout)
    member_client.post(session_url(workout, "finish/"), {})
    page = member_client.get(session_url(workout)).text
    assert "Session partly done" in page and "17 of 18 sets logged" in page
    assert not Workout.objects.get().is_complete


@pytest.mark.django_db
def test_answering_the_weaker_side_keeps_the_total(member_client, member, trainer):
    workout = started_workout(member, trainer, weaker_side=Profile.WeakerSide.UNSURE)
    patrick = step(workout, "Patrick step")["id"]
    response = member_client.post(
        session_url(workout, f"steps/{patrick}/weaker-side/"), {"side": "right"}, **HTMX
    )
    assert "0 of 18 sets done" in response.text
    assert f'id="set-{patrick}-3-right"' in response.text
    assert SetLog.objects.count() == 0

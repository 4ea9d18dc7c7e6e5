"""The logger's pages and actions: with htmx (a fragment) and without (a
redirect), scoped to the member, refusing bad input at the field."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.logbook.sets import log_all_as_prescribed, log_set
from members.logbook.workouts import (
    PainUnanswered,
    finish_workout,
    record_pain_before,
    start_workout,
)
from members.models import KnobSetting, PainFlag, Profile, SetLog, Workout
from routines.models import Knob
from tests.members.logger_helpers import no_pain, started_workout, step

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def workout(member, trainer):
    return started_workout(member, trainer)


def _url(workout, action=""):
    return f"/me/sessions/{workout.pk}/{action}"


def _set(workout, name, *, set_number=1, side="both", **amount):
    return {"step": step(workout, name)["id"], "set_number": set_number, "side": side, **amount}


@pytest.mark.django_db
def test_today_starts_the_session_and_a_retry_lands_on_the_same_one(
    member_client, member, trainer
):
    workout = started_workout(member, trainer)
    Workout.objects.all().delete()
    session = workout.planned_session
    first = member_client.post("/me/sessions/start/", {"session": session.pk})
    again = member_client.post("/me/sessions/start/", {"session": session.pk})
    assert first["Location"] == again["Location"]
    assert Workout.objects.count() == 1


@pytest.mark.django_db
def test_the_first_session_asks_for_the_zero_pain_rule_then_for_pain(
    member_client, member, trainer
):
    workout = started_workout(member, trainer)
    Profile.objects.filter(user=member).update(zero_pain_accepted_at=None)
    Workout.objects.filter(pk=workout.pk).update(pain_before=None)
    page = member_client.get(_url(workout))
    assert "Before your first session" in page.text
    assert "Any pain right now?" not in page.text
    member_client.post(_url(workout, "zero-pain/"))
    page = member_client.get(_url(workout))
    assert "Any pain right now?" in page.text
    assert " checked" not in page.text.split("Any pain right now?")[1].split("</form>")[0]
    response = member_client.post(_url(workout, "pain-check/"), {"level": "0"})
    assert response["Location"] == _url(workout)
    page = member_client.get(_url(workout))
    assert "0 of 18 sets done" in page.text
    assert page.text.count('class="set-row') == 18


@pytest.mark.django_db
def test_pain_before_shows_the_stop_guidance(
    member_client, workout, mailoutbox, django_capture_on_commit_callbacks
):
    Workout.objects.filter(pk=workout.pk).update(pain_before=None)
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(_url(workout, "pain-check/"), {"level": "6"})
    page = member_client.get(_url(workout))
    assert "No session today: pain 6/10" in page.text
    assert "see a doctor" in page.text.lower()
    assert PainFlag.objects.get().level == 6
    assert len(mailoutbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("level", ["11", "-1", "abc", ""])
def test_a_bad_pain_answer_is_refused_at_the_field(member_client, workout, level):
    Workout.objects.filter(pk=workout.pk).update(pain_before=None)
    response = member_client.post(_url(workout, "pain-check/"), {"level": level})
    assert response.status_code == 422
    assert 'class="field-error"' in response.text
    assert Workout.objects.get().pain_before is None


@pytest.mark.django_db
def test_logging_a_set_without_htmx_redirects_to_the_row(member_client, workout):
    data = _set(workout, "Tibialis raise", reps="25")
    response = member_client.post(_url(workout, "sets/"), data)
    key = f"{data['step']}-1-both"
    assert response.status_code == 302
    assert response["Location"] == f"{_url(workout)}#set-{key}"
    assert SetLog.objects.get().reps == 25


@pytest.mark.django_db
def test_logging_a_set_with_htmx_returns_the_row_and_the_progress(member_client, workout):
    data = _set(workout, "Tibialis raise", reps="24")
    response = member_client.post(_url(workout, "sets/"), data, **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.count('class="set-row is-logged"') == 1
    assert 'id="session-progress" hx-swap-oob="true"' in response.text
    assert "1 of 18 sets done" in response.text
    # A retried request changes nothing more.
    member_client.post(_url(workout, "sets/"), data, **HTMX)
    assert SetLog.objects.count() == 1
    undo = member_client.post(_url(workout, "sets/undo/"), data, **HTMX)
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
    data = {**_set(workout, "Calf raise"), **fields}
    response = member_client.post(_url(workout, "sets/"), data, **(HTMX if htmx else {}))
    assert response.status_code == 422
    assert message in response.text
    assert not SetLog.objects.exists()
    if htmx and "side" not in fields and "set_number" not in fields:
        # The row comes back with the error beside the field, and what was typed.
        assert "<html" not in response.text
        assert 'aria-invalid="true"' in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_card_actions_work_with_and_without_htmx(member_client, workout, htmx):
    extra = HTMX if htmx else {}
    curl = step(workout, "Single-leg hamstring curl")["id"]
    walking = step(workout, "Backwards walking")["id"]
    nordic = step(workout, "Regressed reverse Nordic")["id"]
    band = Knob.objects.get(label="Band assistance")

    responses = [
        member_client.post(_url(workout, f"steps/{curl}/all/"), **extra),
        member_client.post(
            _url(workout, f"steps/{nordic}/knob/"),
            {"knob": band.pk, "direction": "easier"},
            **extra,
        ),
        member_client.post(
            _url(workout, f"steps/{walking}/option/"),
            {"option": step(workout, "Deadmill")["id"]},
            **extra,
        ),
        member_client.post(
            _url(workout, f"steps/{nordic}/pain/"), {"level": "2", "note": "knee"}, **extra
        ),
    ]
    for response in responses:
        if htmx:
            assert response.status_code == 200
            assert "<html" not in response.text
            assert 'class="card step-group"' in response.text
        else:
            assert response.status_code == 302
            assert response["Location"].startswith(_url(workout) + "#step-")
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
    response = member_client.post(_url(workout, f"steps/{tibialis}/{action}/"), data, **HTMX)
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
    knob = Knob.objects.create(
        exercise_id=patrick["exercise_id"],
        label="Box height",
        unit=Knob.Unit.CENTIMETRE,
        step=Decimal("0.5"),
        order=1,
        easier_guidance="Lower the box.",
        harder_guidance="Raise the box.",
    )
    url = _url(workout, f"steps/{patrick['id']}/knob/")
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
        _url(workout, f"steps/{tibialis}/pain/"), {"level": "4", "note": "Knee\x00"}, **HTMX
    )
    finish = member_client.post(_url(workout, "finish/"), {"note": "Tired\x00"})
    Workout.objects.filter(pk=workout.pk).update(pain_before=None)
    before = member_client.post(_url(workout, "pain-check/"), {"level": "3", "note": "\x00"})
    for response in (pain, finish, before):
        assert response.status_code == 422
        assert "Null characters are not allowed." in response.text
    assert not PainFlag.objects.exists()
    workout.refresh_from_db()
    assert workout.finished_at is None and workout.pain_before is None and workout.note == ""


@pytest.mark.django_db
def test_finish_and_reopen(member_client, workout):
    calf = step(workout, "Calf raise")["id"]
    member_client.post(_url(workout, f"steps/{calf}/all/"))
    member_client.post(_url(workout, f"steps/{calf}/pain/"), {"level": "0"})
    response = member_client.post(
        _url(workout, "finish/"), {"feeling": "about_right", "note": "Heels <b>sore</b>"}
    )
    assert response["Location"] == _url(workout)
    page = member_client.get(_url(workout))
    assert "Session partly done" in page.text
    assert "2 of 18 sets logged" in page.text
    assert "Heels &lt;b&gt;sore&lt;/b&gt;" in page.text
    # A retried finish lands on the summary too.
    assert member_client.post(_url(workout, "finish/"), {})["Location"] == _url(workout)
    member_client.post(_url(workout, "reopen/"))
    assert "Finish session" in member_client.get(_url(workout)).text


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_finishing_before_the_pain_check_is_refused_with_a_message(
    member_client, member, trainer, htmx
):
    workout = started_workout(member, trainer)
    Workout.objects.filter(pk=workout.pk).update(pain_before=None)
    response = member_client.post(
        _url(workout, "finish/"),
        {"feeling": "about_right", "note": "Typed before the check"},
        **(HTMX if htmx else {}),
    )
    assert response.status_code == 422
    assert "Answer “any pain right now?” before logging." in response.text
    assert "Any pain right now?" in response.text  # the question is there to answer
    assert not Workout.objects.get().is_finished


@pytest.mark.django_db
def test_a_bad_feeling_is_refused_and_the_note_kept(member_client, workout):
    response = member_client.post(
        _url(workout, "finish/"), {"feeling": "great", "note": "Kept text"}
    )
    assert response.status_code == 422
    assert "Choose how it felt." in response.text
    assert "Kept text" in response.text
    assert not Workout.objects.get().is_finished


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["knob", "option", "all", "pain", "weaker-side"])
@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_a_step_not_in_the_session_is_a_404_that_changes_nothing(
    member_client, member, trainer, action, htmx
):
    """Answered as a refusal, htmx swapped an empty card (no id, "of 0 sets")
    over the member's; the weaker side was even saved."""
    workout = started_workout(member, trainer, weaker_side=Profile.WeakerSide.UNSURE)
    wall = Knob.objects.get(exercise__name="Tibialis raise")
    data = {"knob": wall.pk, "direction": "harder", "level": "2", "side": "left"}
    response = member_client.post(
        _url(workout, f"steps/999999/{action}/"), data, **(HTMX if htmx else {})
    )
    assert response.status_code == 404
    assert Profile.objects.get(user=member).weaker_side == Profile.WeakerSide.UNSURE
    assert not PainFlag.objects.exists()
    assert not KnobSetting.objects.exists()
    assert not SetLog.objects.exists()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, workout):
    response = client.get(_url(workout))
    assert response["Location"].startswith("/accounts/login/")


def _log_everything(workout):
    for main in workout.prescription["steps"]:
        log_all_as_prescribed(workout=workout, step_id=main["id"])


@pytest.mark.django_db
@pytest.mark.parametrize("logged", [False, True], ids=["no-sets", "all-sets"])
def test_the_logger_query_count_stays_flat(
    member_client, workout, logged, django_assert_num_queries
):
    if logged:
        _log_everything(workout)
        SetLog.objects.filter(set_number=1, side__in=["both", "left"]).delete()
    # Session, user, the workout with its sets, knob settings and pain flags (4),
    # the profile, the previous workout with its sets (2), earlier knob
    # settings, the exercises with their knobs (2), the block's session count.
    with django_assert_num_queries(12):
        member_client.get(_url(workout))
    data = _set(workout, "Calf raise", reps="20")
    # The workout, the earlier workouts' reads once (previous sets, knob
    # settings, exercises: 5), the lock, this workout's reads for the check,
    # the upsert and the knob settings, in savepoints, then the workout with
    # its sets for the answer.
    with django_assert_num_queries(20):
        response = member_client.post(_url(workout, "sets/"), data, **HTMX)
    assert response.status_code == 200


def _action_posts(workout):
    """Each htmx action of the logger, as (path, data)."""
    curl = step(workout, "Single-leg hamstring curl")["id"]
    nordic = step(workout, "Regressed reverse Nordic")["id"]
    walking = step(workout, "Backwards walking")["id"]
    band = Knob.objects.get(label="Band assistance")
    return {
        "log": ("sets/", _set(workout, "Calf raise", set_number=2, reps="20")),
        "undo": ("sets/undo/", _set(workout, "Calf raise", set_number=2)),
        "all": (f"steps/{curl}/all/", {}),
        "knob": (f"steps/{nordic}/knob/", {"knob": band.pk, "direction": "easier"}),
        "option": (f"steps/{walking}/option/", {"option": step(workout, "Deadmill")["id"]}),
        "pain": (f"steps/{nordic}/pain/", {"level": "1"}),
    }


@pytest.mark.django_db
def test_each_htmx_action_takes_the_same_queries_however_much_is_logged(
    member_client, member, trainer
):
    counts = {}
    started_workout(member, trainer)
    for size in ("empty", "full"):
        Workout.objects.all().delete()
        workout = start_workout(member=member)
        record_pain_before(workout=workout, level=0)
        if size == "full":
            _log_everything(workout)
            # Leave the curl open, as in the empty workout, to log it all again.
            SetLog.objects.filter(exercise__name="Single-leg hamstring curl").delete()
            KnobSetting.objects.filter(exercise__name="Single-leg hamstring curl").delete()
        for name, (path, data) in _action_posts(workout).items():
            with CaptureQueriesContext(connection) as queries:
                response = member_client.post(_url(workout, path), data, **HTMX)
            assert response.status_code == 200, (name, response.content[:300])
            counts.setdefault(name, []).append(len(queries))
    assert all(empty == full for empty, full in counts.values()), counts


class _Fragment(HTMLParser):
    """The ids of a fragment's out-of-band elements, and of those nested
    inside another element (which htmx would move out of the new content)."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.oob: list[str] = []
        self.nested: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if "hx-swap-oob" in attributes:
            self.oob.append(attributes.get("id", tag))
            if self.depth:
                self.nested.append(attributes.get("id", tag))
        if tag not in self.VOID:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.depth -= 1


def _parse(text):
    fragment = _Fragment()
    fragment.feed(text)
    return fragment


@pytest.mark.django_db
def test_every_htmx_answer_swaps_out_of_band_only_into_what_the_page_has(
    member_client, member, trainer
):
    """A card's answer once carried its count and "All N" buttons out of band
    inside the card: htmx put them into the old card, swapped away, and the
    next set's answer met no target (htmx:oobErrorNoTarget)."""
    workout = started_workout(member, trainer, weaker_side=Profile.WeakerSide.UNSURE)
    patrick = step(workout, "Patrick step")["id"]
    tibialis = step(workout, "Tibialis raise")["id"]
    wall = Knob.objects.get(exercise__name="Tibialis raise")
    posts = [
        *_action_posts(workout).items(),
        ("harder", (f"steps/{tibialis}/knob/", {"knob": wall.pk, "direction": "harder"})),
        ("side", (f"steps/{patrick}/weaker-side/", {"side": "left"})),
        ("log after the card", ("sets/", _set(workout, "Tibialis raise", reps="25"))),
        ("refused value", (f"steps/{tibialis}/knob/", {"knob": wall.pk, "value": "99"})),
        ("refused count", ("sets/", _set(workout, "Calf raise", reps="-1"))),
    ]
    for name, (path, data) in posts:
        page_ids = _parse(member_client.get(_url(workout)).text).ids
        response = member_client.post(_url(workout, path), data, **HTMX)
        assert response.status_code == (422 if name.startswith("refused") else 200), name
        fragment = _parse(response.text)
        assert fragment.nested == [], f"{name}: out-of-band inside the swap: {fragment.nested}"
        assert set(fragment.oob) <= page_ids, f"{name}: no target for {fragment.oob}"
        assert "session-progress" in fragment.oob, name
        # What the card shows comes with it: its count and its "All" area.
        swapped = fragment.ids - set(fragment.oob)
        assert any(i.endswith("-count") for i in swapped | set(fragment.oob)), name
        assert any(i.endswith("-all") for i in swapped | set(fragment.oob)), name


# The timed step: "Stop and log" sends what the timer showed, to the second.


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "seconds"), [("7:42", 462), ("8", 480), (" 0:45 ", 45)])
def test_a_timed_set_is_stored_in_seconds(member_client, workout, typed, seconds):
    """It was a whole minute, at least one: 7 min 42 s became 8 and "7:42"
    was refused."""
    walking = _set(workout, "Backwards walking", minutes=typed)
    response = member_client.post(_url(workout, "sets/"), walking, **HTMX)
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
    walking = _set(workout, "Backwards walking", minutes=typed)
    response = member_client.post(_url(workout, "sets/"), walking, **HTMX)
    assert response.status_code == 422
    assert message in response.text and 'aria-invalid="true"' in response.text
    assert f'name="minutes" value="{typed}"' in response.text  # nothing typed is lost
    assert not SetLog.objects.exists()
    # Without JavaScript: the whole page, the message and the typed value at the row.
    page = member_client.post(_url(workout, "sets/"), walking)
    assert page.status_code == 422 and message in page.text
    assert f'name="minutes" value="{typed}"' in page.text


@pytest.mark.django_db
def test_a_timed_set_reads_as_minutes_and_seconds_everywhere(
    member_client, member, trainer, workout
):
    """History, the trainer's page and both exports said 7.7 (or 8) minutes."""
    from django.test import Client

    from members.privacy import services as privacy

    walking = step(workout, "Backwards walking")["id"]
    log_set(workout=workout, step_id=walking, set_number=1, side="both", seconds=462)
    no_pain(workout)
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


@pytest.mark.django_db
def test_the_pain_check_waits_for_the_members_own_answer(member_client, workout):
    """“None” was chosen already, so one tap on Start recorded zero pain the
    member never gave. Nothing is chosen; no answer is a message at the field."""
    Workout.objects.filter(pk=workout.pk).update(pain_before=None)
    page = member_client.get(_url(workout)).text
    question = page.split("Any pain right now?")[1].split("</form>")[0]
    assert "checked" not in question
    response = member_client.post(_url(workout, "pain-check/"), {})
    assert response.status_code == 422
    assert "Choose None, or how much it hurts from 1 to 10, to start." in response.text
    assert 'aria-describedby="pain-check-error"' in response.text
    assert Workout.objects.get().pain_before is None
    assert member_client.post(_url(workout, "pain-check/"), {"level": "0"}).status_code == 302
    assert Workout.objects.get().pain_before == 0


def _log_calf_raise(member_client, workout):
    """Both calf raise sets, one tap each, as htmx posts them; the last answer."""
    for number in (1, 2):
        response = member_client.post(
            _url(workout, "sets/"),
            _set(workout, "Calf raise", set_number=number, reps=25),
            **HTMX,
        )
    return response


@pytest.mark.django_db
def test_after_the_last_set_the_card_asks_about_pain_and_none_is_one_tap(
    member_client, workout, mailoutbox
):
    calf = step(workout, "Calf raise")["id"]
    page = member_client.get(_url(workout)).text
    assert "Any pain during Calf raise?" not in page
    card = page.split('id="step-3"')[1].split("</section>")[0]
    assert 'id="step-3-pain"' in card  # the out-of-band target is always there

    first = member_client.post(
        _url(workout, "sets/"), _set(workout, "Calf raise", set_number=1, reps=25), **HTMX
    )
    assert "Any pain during Calf raise?" not in first.text
    last = _log_calf_raise(member_client, workout)
    assert 'id="step-3-pain" hx-swap-oob="true"' in last.text
    assert "Any pain during Calf raise?" in last.text
    assert 'name="level" value="0"' in last.text

    answer = member_client.post(_url(workout, f"steps/{calf}/pain/"), {"level": "0"}, **HTMX)
    assert answer.status_code == 200
    assert "Any pain during Calf raise?" not in answer.text
    assert Workout.objects.get().pain_after == {str(calf): 0}
    # Said twice (a retried post), still one answer; and no flag, no email.
    member_client.post(_url(workout, f"steps/{calf}/pain/"), {"level": "0"}, **HTMX)
    assert Workout.objects.get().pain_after == {str(calf): 0}
    assert not PainFlag.objects.exists() and not mailoutbox
    # Without htmx, the same answer is a form post that redirects to the card.
    tibialis = step(workout, "Tibialis raise")["id"]
    response = member_client.post(_url(workout, f"steps/{tibialis}/pain/"), {"level": "0"})
    assert response["Location"] == _url(workout) + f"#step-{tibialis}"


@pytest.mark.django_db
def test_pain_on_the_question_stops_the_exercise_flags_it_and_emails_the_trainer(
    member_client, workout, mailoutbox, django_capture_on_commit_callbacks
):
    calf = step(workout, "Calf raise")["id"]
    _log_calf_raise(member_client, workout)
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            _url(workout, f"steps/{calf}/pain/"), {"level": "4", "note": "Heel"}, **HTMX
        )
    assert "Stopped: pain 4/10" in response.text
    assert "Any pain during Calf raise?" not in response.text
    assert PainFlag.objects.get().level == 4 and len(mailoutbox) == 1
    assert Workout.objects.get().pain_after == {}


@pytest.mark.django_db
def test_finish_lists_the_exercises_whose_pain_question_is_unanswered(member_client, workout):
    calf = step(workout, "Calf raise")["id"]
    tibialis = step(workout, "Tibialis raise")["id"]
    _log_calf_raise(member_client, workout)
    member_client.post(
        _url(workout, "sets/"), _set(workout, "Tibialis raise", set_number=1, reps=25), **HTMX
    )
    response = member_client.post(
        _url(workout, "finish/"), {"feeling": "too_hard", "note": "Tired legs"}
    )
    assert response.status_code == 422
    listed = response.text.split('id="finish-pain"')[1].split("</div>")[0]
    assert f'<a href="#pain-{calf}">Calf raise</a>' in listed
    assert f'<a href="#pain-{tibialis}">Tibialis raise</a>' in listed
    assert "Patrick step" not in listed  # nothing done there, nothing to ask
    # Each listed card asks again, at the anchor the list links to; nothing typed is lost.
    assert f'id="pain-{calf}"' in response.text and f'id="pain-{tibialis}"' in response.text
    assert "Any pain during Tibialis raise?" in response.text
    assert "Tired legs</textarea>" in response.text
    assert 'value="too_hard" checked' in response.text
    assert Workout.objects.get().finished_at is None

    for step_id in (calf, tibialis):
        member_client.post(_url(workout, f"steps/{step_id}/pain/"), {"level": "0"})
    assert member_client.post(_url(workout, "finish/"), {})["Location"] == _url(workout)
    assert Workout.objects.get().finished_at is not None


@pytest.mark.django_db
def test_an_exercise_is_complete_only_once_its_pain_question_is_answered(member, trainer):
    workout = started_workout(member, trainer)
    for main in workout.prescription["steps"]:
        log_all_as_prescribed(workout=workout, step_id=main["id"])
    with pytest.raises(PainUnanswered):
        finish_workout(workout=workout)
    no_pain(workout)
    assert finish_workout(workout=workout).is_complete


@pytest.mark.django_db
def test_the_extra_set_is_due_while_the_weaker_side_is_unknown(member_client, member, trainer):
    """Never answering the weaker-side question finished “17 of 17”: the third
    Patrick set was not due. It is due from the start, on a row that asks."""
    workout = started_workout(member, trainer, weaker_side=Profile.WeakerSide.UNSURE)
    patrick = step(workout, "Patrick step")["id"]
    page = member_client.get(_url(workout)).text
    assert "0 of 18 sets done" in page
    row = page.split(f'id="set-{patrick}-3-weaker"')[1].split("</form>")[0]
    assert "Which is it?" in row and 'name="side" value="left"' in row
    for main in workout.prescription["steps"]:
        member_client.post(_url(workout, f"steps/{main['id']}/all/"))
    page = member_client.get(_url(workout)).text
    assert "17 of 18 sets done" in page
    assert f'id="set-{patrick}-3-weaker"' in page
    no_pain(workout)
    member_client.post(_url(workout, "finish/"), {})
    page = member_client.get(_url(workout)).text
    assert "Session partly done" in page and "17 of 18 sets logged" in page
    assert not Workout.objects.get().is_complete


@pytest.mark.django_db
def test_answering_the_weaker_side_keeps_the_total(member_client, member, trainer):
    workout = started_workout(member, trainer, weaker_side=Profile.WeakerSide.UNSURE)
    patrick = step(workout, "Patrick step")["id"]
    response = member_client.post(
        _url(workout, f"steps/{patrick}/weaker-side/"), {"side": "right"}, **HTMX
    )
    assert "0 of 18 sets done" in response.text
    assert f'id="set-{patrick}-3-right"' in response.text
    assert SetLog.objects.count() == 0


@pytest.mark.django_db
def test_how_it_felt_is_not_chosen_for_the_member(member_client, workout):
    """“About right” was chosen already: a member who skipped the question
    told the trainer the session felt about right. Unanswered stays blank."""
    page = member_client.get(_url(workout)).text
    feelings = page.split("How did it feel?")[1].split("</fieldset>")[0]
    assert "checked" not in feelings
    no_pain(workout)
    member_client.post(_url(workout, "finish/"), {})
    assert Workout.objects.get().feeling == ""

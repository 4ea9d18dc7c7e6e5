"""A member's own numbers (overrides) and the trainer's notes: set on the member
detail page, shown to that member only (guide, Today, logger, History),
emailed once; and the end-of-block summary."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from members.blocks.steering import end_block
from members.logbook.workouts import accept_zero_pain_rule, record_pain_before, start_workout
from members.models import StepOverride, TrainerNote, Workout
from routines.models import Knob, Step
from tests.factories import ground_up_routine, put_on_block
from tests.members.logger_helpers import CLUB, finished_workout, step

MONDAY = dt.date(2026, 11, 16)


@pytest.fixture
def tuesday_morning():
    moment = dt.datetime(2026, 11, 17, 9, 0, tzinfo=CLUB)
    with time_machine.travel(moment, tick=False):
        yield


def _calf_raise() -> Step:
    return ground_up_routine().steps.get(exercise__name="Calf raise")


def _override(client, block, **fields):
    data = {f"override-{name}": value for name, value in fields.items()}
    return client.post(f"/trainer/blocks/{block.pk}/overrides/", data, follow=True)


@pytest.mark.django_db
def test_an_override_changes_the_prescription_for_that_member_only(
    tuesday_morning, trainer_client, member, second_member, trainer
):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    put_on_block(second_member, trainer=trainer, start_date=MONDAY)
    calf = _calf_raise()
    page = _override(
        trainer_client, block, step=calf.pk, reps="15", note="Fewer reps while the heel settles."
    )
    assert "Calf raise for Alex Rivera: 15 reps." in page.text
    assert "<strong>Calf raise</strong>: 2 sets of 15" in page.text

    mine, theirs = Client(), Client()
    mine.force_login(member)
    theirs.force_login(second_member)
    guide = ground_up_routine().get_absolute_url()
    assert "2 sets of 15, pausing 1 second" in mine.get(guide).text
    assert "Fewer reps while the heel settles." in mine.get(guide).text
    assert "2 sets of 25, pausing 1 second" in theirs.get(guide).text
    assert "Fewer reps" not in theirs.get(guide).text

    today = mine.get("/me/")
    assert "<strong>Calf raise</strong>: 2 sets of 15" in today.text
    assert "Changed for you by Makana" in today.text
    assert "2 sets of 15" not in theirs.get("/me/").text

    # The logger: the targets and the note are the member's own.
    workout = start_workout(member=member)
    calf_step = step(workout, "Calf raise")
    assert (calf_step["reps"], calf_step["override_note"]) == (
        15,
        "Fewer reps while the heel settles.",
    )
    accept_zero_pain_rule(member=member)
    record_pain_before(workout=workout, level=0)
    logger = mine.get(f"/me/sessions/{workout.pk}/")
    assert "2 sets of 15" in logger.text and "Fewer reps while the heel settles." in logger.text
    assert 'value="15"' in logger.text
    other = start_workout(member=second_member)
    assert step(other, "Calf raise")["reps"] == 25


@pytest.mark.django_db
def test_a_knob_start_wins_over_what_was_logged_before_it(tuesday_morning, member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    finished_workout(member, block.planned_sessions.get(number=1), wall=12)
    wall = Knob.objects.get(exercise__name="Tibialis raise")
    tibialis = ground_up_routine().steps.get(exercise__name="Tibialis raise")
    client = Client()
    client.force_login(trainer)
    _override(client, block, step=tibialis.pk, reps="15", knob=wall.pk, knob_start="8")
    override = StepOverride.objects.get()
    assert override.knob_start == "8 in"
    assert override.summary == "15 reps · start feet distance from wall at 8 in"
    workout = start_workout(member=member, today=dt.date(2026, 11, 19))
    record_pain_before(workout=workout, level=0)
    member_client = Client()
    member_client.force_login(member)
    text = member_client.get(f"/me/sessions/{workout.pk}/").text
    # The wall starts at 8 in, not last time's 12; the raises at the new 15,
    # not last time's 25.
    assert re.search(r'name="value"[^>]*value="8"', text)
    first_set = re.search(rf'id="amount-{tibialis.pk}-1-both"[^>]*value="(\d+)"', text, re.S)
    assert first_set.group(1) == "15"
    assert "Last time 25 reps" not in text


@pytest.mark.django_db
def test_override_mistakes_come_back_at_the_field_with_what_was_typed(
    trainer_client, member, trainer
):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    walking = ground_up_routine().steps.get(exercise__name="Backwards walking")
    wall = Knob.objects.get(exercise__name="Tibialis raise")
    url = f"/trainer/blocks/{block.pk}/overrides/"
    timed = trainer_client.post(url, {"override-step": walking.pk, "override-reps": "12"})
    assert timed.status_code == 422
    assert "Backwards walking is timed: change its duration instead." in timed.text
    assert 'name="override-reps" value="12"' in timed.text

    wrong_knob = trainer_client.post(
        url, {"override-step": walking.pk, "override-knob": wall.pk, "override-knob_start": "8"}
    )
    assert "Choose a setting of Backwards walking itself." in wrong_knob.text

    tibialis = ground_up_routine().steps.get(exercise__name="Tibialis raise")
    out_of_range = trainer_client.post(
        url, {"override-step": tibialis.pk, "override-knob": wall.pk, "override-knob_start": "99"}
    )
    assert out_of_range.status_code == 422
    assert "Enter a value from" in out_of_range.text
    nothing = trainer_client.post(url, {"override-step": tibialis.pk})
    assert "Change at least one number, or write a note." in nothing.text
    assert not StepOverride.objects.exists()


@pytest.mark.django_db
def test_changing_and_removing_an_override(trainer_client, member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    calf = _calf_raise()
    _override(trainer_client, block, step=calf.pk, reps="15")
    _override(trainer_client, block, step=calf.pk, reps="20", sets="3")
    override = StepOverride.objects.get()
    assert (override.sets, override.reps) == (3, 20)
    edit = trainer_client.get(f"/trainer/members/{member.pk}/?step={calf.pk}")
    assert 'name="override-reps" value="20"' in edit.text
    page = trainer_client.post(f"/trainer/overrides/{override.pk}/remove/", follow=True)
    assert "Calf raise is back to the routine&#x27;s numbers." in page.text
    assert not StepOverride.objects.exists()


@pytest.mark.django_db
def test_a_note_reaches_the_member_once_by_email_and_on_their_pages(
    tuesday_morning,
    trainer_client,
    member,
    trainer,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    workout = finished_workout(member, block.planned_sessions.get(number=1))
    text = "Lovely session. Keep the <b>wall</b> at 12 in & breathe."
    data = {"note-text": text, "note-workout": str(workout.pk)}
    with django_capture_on_commit_callbacks(execute=True):
        trainer_client.post(f"/trainer/blocks/{block.pk}/notes/", data)
        trainer_client.post(f"/trainer/blocks/{block.pk}/notes/", data)  # a retried post
    note = TrainerNote.objects.get()
    assert note.workout == workout and note.sent_at is not None
    (email,) = mailoutbox
    assert email.to == [member.email] and email.reply_to == [trainer.email]
    assert email.subject == "Makana on your session of Monday, November 16"
    assert text in email.body  # verbatim in the text part
    html = email.alternatives[0][0]
    assert "&lt;b&gt;wall&lt;/b&gt; at 12 in &amp; breathe." in html

    client = Client()
    client.force_login(member)
    escaped = "Lovely session. Keep the &lt;b&gt;wall&lt;/b&gt; at 12 in &amp; breathe."
    assert escaped in client.get("/me/").text
    assert escaped in client.get("/me/history/").text

    empty = trainer_client.post(f"/trainer/blocks/{block.pk}/notes/", {"note-text": " "})
    assert empty.status_code == 422 and "Write the note first." in empty.text
    foreign = Workout.objects.create(member=trainer, date=MONDAY)
    wrong = trainer_client.post(
        f"/trainer/blocks/{block.pk}/notes/", {"note-text": "Hi", "note-workout": foreign.pk}
    )
    assert wrong.status_code == 422 and TrainerNote.objects.count() == 1


@pytest.mark.django_db
def test_a_finished_block_shows_the_member_a_summary_and_the_trainer_ready_to_renew(
    member, trainer, trainer_client
):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY, weeks=2)
    for number, wall in [(1, 12), (2, 13), (3, 14), (4, 16)]:
        finished_workout(member, block.planned_sessions.get(number=number), wall=wall)
    TrainerNote.objects.create(assignment=block, author=trainer, text="A strong block.")
    client = Client()
    client.force_login(member)
    with time_machine.travel(dt.datetime(2026, 11, 30, 9, tzinfo=CLUB), tick=False):
        today = client.get("/me/").text
        assert "You finished your block" in today
        assert "<strong>4 of 4</strong> sessions done" in today
        assert "Tibialis raise: feet distance from wall 12 → 13 → 14 → 16 in" in today
        assert "A strong block." in today and "What happens next" in today
        dashboard = trainer_client.get("/trainer/").text
        assert "Ready to renew" in dashboard
        detail = trainer_client.get(f"/trainer/members/{member.pk}/").text
        assert "Start the new block" in detail and "Pause the block" not in detail

        end_block(assignment=block)
        after = client.get("/me/").text
    assert "You finished your block" in after and "A strong block." in after


@pytest.mark.django_db
def test_an_ended_block_says_so_on_today(member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    finished_workout(member, block.planned_sessions.get(number=1))
    end_block(assignment=block, today=dt.date(2026, 11, 18))
    client = Client()
    client.force_login(member)
    text = client.get("/me/").text
    assert "Your block has ended" in text
    assert "<strong>1 of 1</strong> sessions done" in text

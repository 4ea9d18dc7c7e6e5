"""Steering a block: pause, resume onto other days, extend, end early, renew,
from the services, the member detail page and the admin; with the counts the
trainer and the member see afterwards."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from members.blocks.review import review_blocks
from members.blocks.steering import (
    end_block,
    extend_block,
    next_start,
    pause_block,
    renew_block,
    resume_block,
)
from members.models import Assignment, PlannedSession
from tests.factories import put_on_block
from tests.html import elements
from tests.members.logger_helpers import CLUB, finished_workout

MONDAY = dt.date(2026, 11, 16)
MON, TUE, THU, FRI = 0, 1, 3, 4


def _dates(block):
    return [(s.number, s.week, s.date) for s in block.planned_sessions.order_by("number")]


def _review(block, day):
    """The trainer's review of ``block`` as seen at 23:30 club time on ``day``
    (already the next day in UTC)."""
    with _at(day):
        (review,) = review_blocks(Assignment.objects.filter(pk=block.pk))
    return review


def _at(day: dt.date, hour=23, minute=30):
    return time_machine.travel(
        dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CLUB), tick=False
    )


@pytest.mark.django_db
def test_pause_holds_the_rest_and_resume_replans_it_onto_the_new_days(member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY, weekdays=(MON, THU))
    one, two = list(block.planned_sessions.order_by("number"))[:2]
    finished_workout(member, one)
    finished_workout(member, two)
    # Session 3 (Monday Nov 23) is missed; the block is paused on Tuesday Nov 24.
    tuesday = dt.date(2026, 11, 24)
    pause_block(assignment=block, today=tuesday)
    block.refresh_from_db()
    assert block.status == "paused" and block.paused_on == tuesday

    ten_days_later = dt.date(2026, 12, 4)
    review = _review(block, ten_days_later)
    statuses = [s.status for s in review.progress.sessions]
    assert statuses == ["done", "done", "missed"] + ["on_hold"] * 5
    # On-hold sessions are neither planned so far nor missed: 2 of 3, not 2 of 7.
    assert (review.planned_so_far, review.progress.done, review.adherence) == (3, 2, 67)
    assert review.progress.next_session is None
    assert block.planned_session_for(ten_days_later) is None

    # Resume on Thursday Dec 3, on Tuesdays and Fridays: week 2, where the member
    # stopped, starts again that day, whole (the session missed the day before
    # the pause included), and each later session takes its week's days in order.
    resume_block(
        assignment=block, on=dt.date(2026, 12, 3), weekdays=[TUE, FRI], today=dt.date(2026, 12, 3)
    )
    block.refresh_from_db()
    assert block.status == "active" and block.paused_on is None
    assert block.weekdays_text == "Tuesday and Friday"
    assert _dates(block) == [
        (1, 1, dt.date(2026, 11, 16)),
        (2, 1, dt.date(2026, 11, 19)),
        (3, 2, dt.date(2026, 12, 4)),
        (4, 2, dt.date(2026, 12, 8)),
        (5, 3, dt.date(2026, 12, 11)),
        (6, 3, dt.date(2026, 12, 15)),
        (7, 4, dt.date(2026, 12, 18)),
        (8, 4, dt.date(2026, 12, 22)),
    ]
    assert block.end_date == dt.date(2026, 12, 23)
    assert block.week_on(dt.date(2026, 12, 3)) == 2

    # The day after resuming: Friday's session is due, week 2 of 4, 2 of 2 done so far.
    review = _review(block, dt.date(2026, 12, 4))
    assert review.progress.next_session.number == 3
    assert review.progress.week == 2
    assert (review.planned_so_far, review.adherence, review.reasons) == (2, 100, [])
    # Done on Monday the 7th instead, it counts for session 3; Tuesday's is next.
    workout = finished_workout(member, block.planned_session_for(dt.date(2026, 12, 7)))
    assert workout.planned_session.number == 3
    review = _review(block, dt.date(2026, 12, 7))
    assert review.progress.next_session.number == 4
    assert (review.progress.done, review.planned_so_far) == (3, 3)


@pytest.mark.django_db
def test_a_workout_on_another_day_after_resuming_counts_for_its_week(member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY, weekdays=(MON, THU))
    pause_block(assignment=block, today=MONDAY)
    resume_block(assignment=block, on=dt.date(2026, 11, 25), weekdays=[MON, THU], today=MONDAY)
    block.refresh_from_db()
    sessions = list(block.planned_sessions.order_by("number"))
    assert [s.date for s in sessions[:2]] == [dt.date(2026, 11, 26), dt.date(2026, 11, 30)]
    # Done on Saturday the 28th: that is block week 1 now, so it counts for session 1.
    workout = finished_workout(member, block.planned_session_for(dt.date(2026, 11, 28)))
    assert workout.planned_session.number == 1
    review = _review(block, dt.date(2026, 11, 28))
    assert (review.progress.done, review.planned_so_far) == (1, 1)


@pytest.mark.django_db
def test_extend_adds_weeks_on_the_same_days_within_the_routines_longest_block(member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY, weeks=2)
    extend_block(assignment=block, weeks=1)
    block.refresh_from_db()
    assert block.weeks == 3
    assert _dates(block)[-2:] == [
        (5, 3, dt.date(2026, 11, 30)),
        (6, 3, dt.date(2026, 12, 3)),
    ]
    with pytest.raises(ValidationError) as error:
        extend_block(assignment=block, weeks=2)
    assert error.value.message_dict["weeks"] == [
        "Reversing Foot, Ankle, and Knee Pain lasts at most 4 weeks: add 1 to 1."
    ]
    review = _review(block, dt.date(2026, 11, 30))
    assert review.progress.total == 6 and review.end_date == dt.date(2026, 12, 3)
    assert review.ends_this_week


@pytest.mark.django_db
def test_extend_after_a_pause_follows_the_moved_weeks(member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY, weeks=2)
    pause_block(assignment=block, today=dt.date(2026, 11, 24))
    resume_block(assignment=block, on=dt.date(2026, 11, 27), weekdays=[TUE, FRI], today=MONDAY)
    extend_block(assignment=block, weeks=2)
    block.refresh_from_db()
    dates = _dates(block)
    assert len(dates) == 8 and [n for n, _, _ in dates] == list(range(1, 9))
    # Sessions 1 and 2 were missed before the pause and keep their days; the
    # rest, re-planned and added, fall on Tuesdays and Fridays, in order.
    moved = [day for _, _, day in dates[2:]]
    assert moved == [
        dt.date(2026, 11, 27),
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 4),
        dt.date(2026, 12, 8),
        dt.date(2026, 12, 11),
        dt.date(2026, 12, 15),
    ]
    assert block.end_date == dt.date(2026, 12, 17)


@pytest.mark.django_db
def test_end_early_drops_what_was_not_started_and_keeps_the_record(member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    first = block.planned_sessions.get(number=1)
    finished_workout(member, first)
    end_block(assignment=block, today=dt.date(2026, 11, 20))
    block.refresh_from_db()
    assert block.status == "ended_early" and block.ended_on == dt.date(2026, 11, 20)
    # Session 2 (Thursday 19th) stays, missed; everything from the 20th is gone.
    assert [n for n, _, _ in _dates(block)] == [1, 2]
    assert not Assignment.objects.current().filter(member=member).exists()
    with pytest.raises(ValidationError):
        end_block(assignment=block, today=dt.date(2026, 11, 21))


@pytest.mark.django_db
def test_renew_closes_a_finished_block_and_starts_the_next_on_its_days(member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY, weeks=2)
    for session in block.planned_sessions.all():
        finished_workout(member, session)
    friday = dt.date(2026, 11, 27)
    start = next_start(block, friday)
    assert start == dt.date(2026, 11, 30)  # the Monday after the block's last day
    renewed = renew_block(
        assignment=block,
        trainer=trainer,
        start_date=start,
        weekdays=[MON, THU],
        weeks=4,
        today=friday,
    )
    block.refresh_from_db()
    assert block.status == "completed"
    assert renewed.status == "active" and renewed.start_date == start
    assert renewed.planned_sessions.count() == 8
    assert Assignment.objects.current().get(member=member) == renewed


@pytest.mark.django_db
def test_renew_refuses_a_block_with_sessions_ahead(member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    with pytest.raises(ValidationError) as error:
        renew_block(
            assignment=block,
            trainer=trainer,
            start_date=dt.date(2026, 12, 14),
            weekdays=[MON, THU],
            weeks=4,
            today=dt.date(2026, 11, 20),
        )
    assert "still has sessions ahead" in error.value.messages[0]
    assert Assignment.objects.get(pk=block.pk).status == "active"


@pytest.mark.django_db
def test_pause_and_resume_from_the_member_page(trainer_client, member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    url = f"/trainer/members/{member.pk}/"
    with _at(dt.date(2026, 11, 24), hour=10):
        page = trainer_client.get(url)
        assert "Pause the block" in page.text
        response = trainer_client.post(f"/trainer/blocks/{block.pk}/pause/", follow=True)
        assert "Paused." in response.text and "Resume the block" in response.text
        # A retried post changes nothing and says why.
        again = trainer_client.post(f"/trainer/blocks/{block.pk}/pause/", follow=True)
        assert "Only an active block can be paused; this one is paused." in again.text
        assert Assignment.objects.get(pk=block.pk).paused_on == dt.date(2026, 11, 24)

        # One day picked for a twice-a-week routine: the page comes back with the
        # error at the field and what was typed still there.
        bad = trainer_client.post(
            f"/trainer/blocks/{block.pk}/resume/",
            {"resume-on": "2026-12-01", "resume-weekdays": [str(TUE)]},
        )
        assert bad.status_code == 422
        assert elements(bad.text, "form", action=f"/trainer/blocks/{block.pk}/resume/#steer")
        assert "pick exactly 2 days (you picked 1)" in bad.text
        assert elements(bad.text, "input", name="resume-on", value="2026-12-01")
        past = trainer_client.post(
            f"/trainer/blocks/{block.pk}/resume/",
            {"resume-on": "2026-11-01", "resume-weekdays": [str(TUE), str(FRI)]},
        )
        assert past.status_code == 422 and "Resume today or later." in past.text

        done = trainer_client.post(
            f"/trainer/blocks/{block.pk}/resume/",
            {"resume-on": "2026-12-01", "resume-weekdays": [str(TUE), str(FRI)]},
            follow=True,
        )
    assert "Resumed on Tuesday and Friday. The next session is Tuesday, December 1" in done.text
    # The message is in the section the page scrolls to, not off screen at the top.
    assert done.text.index("Resumed on") > done.text.index('id="steer-title"')
    assert done.redirect_chain[-1][0].endswith("#steer")
    block.refresh_from_db()
    assert block.status == "active"
    moved = block.planned_sessions.filter(date__gte=dt.date(2026, 12, 1))
    assert {s.date.weekday() for s in moved} == {TUE, FRI}


@pytest.mark.django_db
def test_extend_end_and_renew_from_the_member_page(trainer_client, member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY, weeks=2)
    with _at(dt.date(2026, 11, 20), hour=10):
        response = trainer_client.post(
            f"/trainer/blocks/{block.pk}/extend/", {"extend-weeks": "1"}, follow=True
        )
        assert "Extended to 3 weeks; the last session is Thursday, December 3." in response.text
        too_far = trainer_client.post(f"/trainer/blocks/{block.pk}/extend/", {"extend-weeks": "5"})
        assert too_far.status_code == 422
        assert "Select a valid choice" in too_far.text
        ended = trainer_client.post(f"/trainer/blocks/{block.pk}/end/", follow=True)
        assert "Block ended early." in ended.text
        assert PlannedSession.objects.filter(assignment=block).count() == 2
        renewed = trainer_client.post(
            f"/trainer/blocks/{block.pk}/renew/",
            {"renew-start_date": "2026-11-23", "renew-weekdays": ["0", "3"], "renew-weeks": "4"},
            follow=True,
        )
    assert (
        "Renewed: a new block of Reversing Foot, Ankle, and Knee Pain starts Monday, "
        "November 23, on Monday and Thursday." in renewed.text
    )
    current = Assignment.objects.current().get(member=member)
    assert current.pk != block.pk and current.planned_sessions.count() == 8


@pytest.mark.django_db
def test_admin_actions_steer_the_selected_blocks(client, member, second_member, trainer):
    client.force_login(trainer)
    with _at(dt.date(2026, 11, 18), hour=10):
        block = put_on_block(member, trainer=trainer, start_date=MONDAY, weeks=3)
        other = put_on_block(second_member, trainer=trainer, start_date=MONDAY, weeks=4)
        changelist = "/admin/members/assignment/"
        ids = [str(block.pk), str(other.pk)]
        response = client.post(
            changelist, {"action": "extend_one_week", "_selected_action": ids}, follow=True
        )
        assert "Extended: 1 block(s)." in response.text
        assert "lasts at most 4 weeks" in response.text  # the 4-week one, in words
        client.post(changelist, {"action": "pause", "_selected_action": [str(block.pk)]})
        assert Assignment.objects.get(pk=block.pk).status == "paused"
        client.post(
            changelist, {"action": "resume_same_days", "_selected_action": [str(block.pk)]}
        )
        assert Assignment.objects.get(pk=block.pk).status == "active"
        client.post(changelist, {"action": "end_early", "_selected_action": [str(other.pk)]})
    assert Assignment.objects.get(pk=other.pk).status == "ended_early"
    assert Assignment.objects.get(pk=block.pk).weeks == 4

"""The trainer sees the check-ins: on the member's page beside the sessions,
as each member's change since the baseline on the dashboard, and as reasons
under "Needs you": daily pain up 2 points or more since the baseline, or no
baseline while one can still be given after the first session."""

import datetime as dt

import pytest
import time_machine

from members.coaching.attention import reviews_with_reasons
from members.models import Assignment, CheckIn
from members.outcomes.services import record_check_in
from tests.factories import put_on_block, signed_in
from tests.members.logger_helpers import CLUB, MONDAY, finished_workout, session_of
from tests.members.outcomes.test_check_in_page import text_of

pytestmark = pytest.mark.django_db


def reasons_on(block: Assignment, day: dt.date) -> list[str]:
    """The check-ins' reasons (sessions missed meanwhile are reasons too)."""
    (review,) = reviews_with_reasons(Assignment.objects.filter(pk=block.pk), today=day)
    return [reason for reason in review.reasons if "baseline" in reason or "check-in" in reason]


def answered(block, kind, day, *, knees):
    record_check_in(
        block,
        kind,
        areas={"feet": (3, 2), "knees": knees},
        new_activities=[("Walking down stairs", 5)] if kind == CheckIn.Kind.BASELINE else [],
        scores={} if kind == CheckIn.Kind.BASELINE else {block.activities.get().pk: 7},
        today=day,
    )


@pytest.fixture
def block(member, trainer):
    with time_machine.travel(dt.datetime.combine(MONDAY, dt.time(8), tzinfo=CLUB)):
        return put_on_block(member, trainer=trainer, start_date=MONDAY, weeks=4)


def test_daily_pain_up_two_points_since_the_baseline_needs_the_trainer(block):
    answered(block, "baseline", MONDAY, knees=(4, 2))
    halfway = MONDAY + dt.timedelta(days=14)
    answered(block, "midway", halfway, knees=(5, 3))  # a point: not a clear change
    assert reasons_on(block, halfway) == []
    CheckIn.objects.filter(kind="midway").delete()
    answered(block, "midway", halfway, knees=(6, 3))
    assert reasons_on(block, halfway) == [
        "Daily pain up since the baseline: knees, worst pain 4 → 6"
    ]


def test_no_baseline_after_the_first_session_needs_the_trainer_while_it_can_be_given(
    block, member
):
    assert reasons_on(block, MONDAY) == []  # nothing done yet
    finished_workout(member, session_of(block, 1))
    assert reasons_on(block, MONDAY) == ["No check-in before the first session"]
    # A week after the first session it can no longer be given: it is missing
    # on the member's page, and "Needs you" does not carry it for the rest
    # of the block.
    assert reasons_on(block, MONDAY + dt.timedelta(days=8)) == []
    answered(block, "baseline", MONDAY + dt.timedelta(days=1), knees=(4, 2))
    assert reasons_on(block, MONDAY + dt.timedelta(days=1)) == []


def test_the_member_page_and_the_dashboard_show_the_check_ins(block, member, trainer):
    answered(block, "baseline", MONDAY, knees=(6, 4))
    finished_workout(member, session_of(block, 1))
    halfway = MONDAY + dt.timedelta(days=14)
    answered(block, "midway", halfway, knees=(3, 1))
    client = signed_in(trainer)
    with time_machine.travel(dt.datetime.combine(halfway, dt.time(12), tzinfo=CLUB)):
        page = text_of(client.get(f"/trainer/members/{member.pk}/").content)
        dashboard = text_of(client.get("/trainer/").content)
    assert (
        "Check-ins Before you start: done Nov 16 · Half-way: done Nov 30 · "
        "End of the block: opens Dec 13" in page
    )
    assert "Knees, worst pain: 6 → 3, a clear improvement" in page
    assert "Walking down stairs: 5 → 7, a clear improvement" in page
    assert "Daily life since the baseline: 3 of 5 measures clearly better" in dashboard

"""What a block changed in daily life: each area's pain and each activity
from the first check-in to the last, in words (2 points or more is clear),
on Today's end-of-block summary and in History, charted with a table."""

import datetime as dt

import pytest
import time_machine

from members.models import Assignment, CheckIn
from members.outcomes.change import Change
from members.outcomes.services import change_in_block, record_check_in
from tests.factories import put_on_block, signed_in, stamped
from tests.html import elements
from tests.members.logger_helpers import CLUB, MONDAY
from tests.members.outcomes.test_check_in_page import text_of

pytestmark = pytest.mark.django_db

STAIRS = "Going down the stairs at work"


@pytest.mark.parametrize(
    ("first", "last", "lower_is_better", "words"),
    [
        (6, 4, True, "a clear improvement"),
        (6, 5, True, "a little better"),
        (6, 6, True, "no change"),
        (6, 7, True, "a little worse"),
        (6, 8, True, "clearly worse"),
        (4, 6, False, "a clear improvement"),
        (4, 5, False, "a little better"),
        (4, 3, False, "a little worse"),
        (4, 1, False, "clearly worse"),
    ],
)
def test_two_points_is_a_clear_change_whichever_way_the_scale_runs(
    first, last, lower_is_better, words
):
    change = Change("Feet, usual pain", first, last, lower_is_better)
    assert change.words == words
    assert change.text == f"Feet, usual pain: {first} → {last}, {words}"


def check_in(block, kind, day, *, feet, knees, stairs):
    with time_machine.travel(dt.datetime.combine(day, dt.time(9), tzinfo=CLUB), tick=False):
        record_check_in(
            block,
            kind,
            areas={"feet": feet, "knees": knees},
            new_activities=[(STAIRS, stairs)] if kind == CheckIn.Kind.BASELINE else [],
            scores={} if kind == CheckIn.Kind.BASELINE else {block.activities.get().pk: stairs},
            today=day,
        )


@pytest.fixture
def checked_in(member, trainer):
    """A two-week block: the baseline, half-way and the end answered."""
    block = put_on_block(member, trainer=trainer, start_date=MONDAY, weeks=2)
    check_in(block, "baseline", MONDAY, feet=(7, 5), knees=(4, 2), stairs=4)
    check_in(block, "midway", MONDAY + dt.timedelta(days=7), feet=(6, 4), knees=(4, 3), stairs=5)
    check_in(block, "end", MONDAY + dt.timedelta(days=13), feet=(4, 3), knees=(5, 2), stairs=7)
    return block


def test_the_change_runs_from_the_first_check_in_to_the_last(checked_in):
    change = change_in_block(checked_in)
    assert [item.text for item in change.changes] == [
        "Feet, worst pain: 7 → 4, a clear improvement",
        "Feet, usual pain: 5 → 3, a clear improvement",
        "Knees, worst pain: 4 → 5, a little worse",
        "Knees, usual pain: 2 → 2, no change",
        f"{STAIRS}: 4 → 7, a clear improvement",
    ]
    assert change_in_block(Assignment.objects.create(**_copy_of(checked_in))) is None


def _copy_of(block):
    return {
        "member": block.member,
        "routine": block.routine,
        "trainer": block.trainer,
        "start_date": block.start_date - dt.timedelta(weeks=8),
        "weekdays": block.weekdays,
        "weeks": 2,
        "status": Assignment.Status.COMPLETED,
    }


def test_the_end_of_block_summary_and_history_show_it(checked_in, member):
    client = signed_in(member)
    after = dt.datetime.combine(MONDAY + dt.timedelta(days=14), dt.time(9), tzinfo=CLUB)
    with time_machine.travel(after, tick=False):
        today = client.get("/me/")
    assert "You finished your block" in text_of(today.content)
    assert f"{STAIRS}: 4 → 7, a clear improvement" in text_of(today.content)
    history = client.get("/me/history/").content.decode()
    text = text_of(history.encode())
    assert "In daily life" in text
    assert "Feet, worst pain 7 4 a clear improvement" in text  # the table's row
    assert "<desc id=" in history and "Knees, worst pain: 4 → 5, a little worse" in history


@pytest.mark.parametrize("blocks", [1, 3])
def test_history_reads_every_blocks_change_in_the_same_queries(
    member, trainer, blocks, django_assert_num_queries
):
    for number in range(blocks):
        start = MONDAY - dt.timedelta(weeks=3 * number)
        block = put_on_block(member, trainer=trainer, start_date=start, weeks=2)
        check_in(block, "baseline", start, feet=(7, 5), knees=(4, 2), stairs=4)
        check_in(block, "end", start + dt.timedelta(days=13), feet=(4, 3), knees=(4, 2), stairs=6)
        if number < blocks - 1:
            Assignment.objects.filter(pk=block.pk).update(status=Assignment.Status.COMPLETED)
    client = signed_in(member)
    stamped(member)
    # Session, user, the page stamps, the trainer's notes, the workouts and the
    # trends' (none here), the check-ins with their blocks and routines, their
    # areas, their scores with their activities.
    with django_assert_num_queries(9):
        response = client.get("/me/history/")
    # Feet's worst and usual pain, and the stairs: three clear changes a block.
    assert len(elements(response.content.decode(), "li", class_="change-clear")) == 3 * blocks

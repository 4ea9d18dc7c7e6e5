"""A member's block report, for a doctor or physio: the routine, sessions
done, how the knobs moved, pain reported and the change in daily life; the
member's own blocks only (the authorization matrix tries everyone else), in
the same queries however long the block."""

import datetime as dt

import pytest

from members.models import PainFlag
from tests.factories import put_on_block, signed_in
from tests.members.logger_helpers import MONDAY, finished_workout, session_of
from tests.members.outcomes.test_change import check_in
from tests.members.outcomes.test_check_in_page import text_of

pytestmark = pytest.mark.django_db


def a_block_with(member, trainer, *, sessions: int):
    """Two weeks, ``sessions`` done with the wall moving out, a pain report on
    the calf raise, and a check-in before and at the end."""
    block = put_on_block(member, trainer=trainer, start_date=MONDAY, weeks=2)
    for number in range(1, sessions + 1):
        finished_workout(member, session_of(block, number), wall=11 + number)
    check_in(block, "baseline", MONDAY, feet=(7, 5), knees=(4, 2), stairs=4)
    check_in(block, "end", MONDAY + dt.timedelta(days=13), feet=(4, 3), knees=(4, 2), stairs=7)
    return block


def test_the_report_has_the_block_the_pain_and_the_change(member, trainer):
    block = a_block_with(member, trainer, sessions=4)
    workout = block.planned_sessions.get(number=4).workouts.get()
    calf = next(step for step in workout.prescription["steps"] if step["name"] == "Calf raise")
    PainFlag.objects.create(
        member=member, workout=workout, exercise_id=calf["exercise_id"], level=2, note="Heel"
    )
    response = signed_in(member).get(f"/me/program/{block.pk}/report/")
    assert response.status_code == 200
    text = text_of(response.content)
    assert "Reversing Foot, Ankle, and Knee Pain" in text
    assert "4 done of 4 due (100%), 4 planned" in text  # all done: not "so far"
    assert "Monday and Thursday (finished)" in text
    assert "Tibialis raise: feet distance from wall 12 → 13 → 14 → 15 in" in text
    assert "2/10 on Calf raise (Heel)" in text
    assert "Going down the stairs at work: 4 → 7, a clear improvement" in text


def test_with_nothing_done_the_report_says_so(member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY, weeks=2)
    text = text_of(signed_in(member).get(f"/me/program/{block.pk}/report/").content)
    assert "No session logged yet." in text
    assert "None reported" in text
    assert "once the block has two check-ins" in text


@pytest.mark.parametrize("sessions", [1, 4])
def test_the_report_takes_the_same_queries_for_a_short_or_long_block(
    member, trainer, sessions, django_assert_num_queries
):
    block = a_block_with(member, trainer, sessions=sessions)
    client = signed_in(member)
    # Session, user; the block's review: the block with its member, routine
    # and trainer, its sessions, workouts, open pain, questions, knob
    # settings, knobs, and check-ins with their areas and scores; then the
    # pain reported during it.
    with django_assert_num_queries(13):
        client.get(f"/me/program/{block.pk}/report/")

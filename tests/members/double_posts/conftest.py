import pytest

from members.logbook.workouts import accept_zero_pain_rule, record_pain_before, start_workout
from tests.factories import put_on_block
from tests.members.double_posts.at_once import session_of
from tests.members.logger_helpers import MONDAY


@pytest.fixture
def block(late_thursday, member, trainer):
    """Alex on Monday and Thursday for four weeks from November 16th: tonight
    is session 4's day, and session 3 (Monday) can still be made up."""
    assignment = put_on_block(member, trainer=trainer, start_date=MONDAY)
    accept_zero_pain_rule(member=member)
    return assignment


@pytest.fixture
def workout(member, block):
    """Tonight's session started, no pain before it."""
    started = start_workout(member=member, planned_session=session_of(block, 4))
    return record_pain_before(workout=started, level=0)

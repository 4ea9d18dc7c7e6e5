import pytest

from members.logbook.workouts import record_pain_before, start_workout
from tests.members.logger_helpers import session_of


@pytest.fixture
def workout(member, block):
    """Tonight's session started, no pain before it."""
    started = start_workout(member=member, planned_session=session_of(block, 4))
    return record_pain_before(workout=started, level=0)

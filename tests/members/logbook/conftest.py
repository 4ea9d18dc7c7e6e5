import pytest

from tests.members.logger_helpers import started_workout


@pytest.fixture
def workout(member, trainer):
    """Today's workout of the member, started, with no pain before it."""
    return started_workout(member, trainer)

import pytest
import time_machine

from tests.members.logger_helpers import LATE_THURSDAY


@pytest.fixture
def late_thursday():
    """The clock stopped at 23:30 club time on a Thursday (Friday in UTC)."""
    with time_machine.travel(LATE_THURSDAY, tick=False):
        yield

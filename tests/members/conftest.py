import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from members.logbook.workouts import accept_zero_pain_rule
from tests.factories import put_on_block
from tests.members.logger_helpers import LATE_THURSDAY, MONDAY


@pytest.fixture
def late_thursday():
    """The clock stopped at 23:30 club time on a Thursday (Friday in UTC)."""
    with time_machine.travel(LATE_THURSDAY, tick=False):
        assert timezone.now().astimezone(dt.UTC).date() == dt.date(2026, 11, 27)
        assert timezone.localdate() == dt.date(2026, 11, 26)
        yield


@pytest.fixture
def block(late_thursday, member, trainer):
    """Alex on Mondays and Thursdays for four weeks from November 16th: tonight
    is Thursday of week 2 (session 4); Monday's session 3 can still be made up."""
    assignment = put_on_block(member, trainer=trainer, start_date=MONDAY)
    accept_zero_pain_rule(member=member)
    return assignment

"""What the tests of session reminders share: the club's clock frozen at a
wall-clock time, one run of `manage.py send_nudges`, a block put in place the
day before it starts, and the reminders a member was sent."""

import datetime as dt
import io

import time_machine
from django.core import mail
from django.core.management import call_command

from tests.factories import put_on_block
from tests.members.logger_helpers import CLUB

# Monday, March 2, 2026: Pacific Standard Time (UTC-8). Daylight-saving time
# starts on Sunday, March 8 (UTC-7) and ends on Sunday, November 1.
SPRING_MONDAY = dt.date(2026, 3, 2)


def at(day: dt.date, hour: int, minute: int = 0, tz=CLUB):
    """Freeze the clock at a wall-clock time in ``tz`` (the club's by default)."""
    return time_machine.travel(
        dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz), tick=False
    )


def run_scheduler() -> str:
    out = io.StringIO()
    call_command("send_nudges", stdout=out)
    return out.getvalue()


def reminders_to(member) -> list:
    return [m for m in mail.outbox if m.to == [member.email]]


def block(member, trainer, start, weekdays=(0, 3), weeks=2):
    with at(start - dt.timedelta(days=1), 12):
        return put_on_block(
            member, trainer=trainer, start_date=start, weekdays=weekdays, weeks=weeks
        )

"""Text as members read it and as email headers need it."""

import datetime as dt
from collections.abc import Iterable


def messages_text(messages: Iterable[object]) -> str:
    """A field's error messages (a form's ``errors[name]``) in one line."""
    return " ".join(str(message) for message in messages)


def one_line(value: str) -> str:
    """Runs of whitespace, line breaks included, as one space: a name or a
    subject goes into an email header, where a line break would start a new one."""
    return " ".join(value.split())


def clock_text(time: dt.time) -> str:
    """7:00 am, 6:30 pm: a nudge's time as members read it."""
    return f"{time.hour % 12 or 12}:{time.minute:02d} {'am' if time.hour < 12 else 'pm'}"

"""Weekdays stored as bits, and the dates a block's sessions fall on."""

import datetime as dt

WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


WEEKDAY_CHOICES = list(enumerate(WEEKDAY_NAMES))


def weekdays_to_mask(weekdays) -> int:
    """Store a set of weekdays (0 = Monday) as bits, so a day cannot appear twice."""
    mask = 0
    for day in weekdays:
        mask |= 1 << int(day)
    return mask


def mask_to_weekdays(mask: int) -> list[int]:
    return [day for day in range(7) if mask & (1 << day)]


def join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def plan_dates(start_date: dt.date, weekdays, weeks: int) -> list[tuple[int, dt.date]]:
    """(week, date) of every session: block week N is the seven days from
    ``start_date + 7 * (N - 1)`` days, and holds one session on each chosen weekday."""
    days = set(weekdays)
    planned = []
    for week in range(weeks):
        window = start_date + dt.timedelta(weeks=week)
        for offset in range(7):
            day = window + dt.timedelta(days=offset)
            if day.weekday() in days:
                planned.append((week + 1, day))
    return planned

"""CSV downloads that a spreadsheet opens safely, streamed row by row."""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

from members.models.workouts import clock

# A cell starting with one of these is read as a formula by spreadsheet apps.
FORMULA_STARTS = {"=", "+", "-", "@", "\t", "\r"}


def neutralise(value) -> str:
    """A cell a spreadsheet would read as a formula is made plain text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def amount(reps, seconds) -> str:
    """What a set asked for or did: "25 reps" or "7:42 min" (minutes and
    seconds, as the timer showed it; "7.7 min" hid the seconds)."""
    if seconds is not None:
        return f"{clock(seconds)} min"
    return "" if reps is None else f"{reps} reps"


class _Echo:
    """A file whose write() hands the line back, for csv.writer to stream."""

    def write(self, value):
        return value


def csv_download(rows: Iterable[Iterable], filename: str) -> StreamingHttpResponse:
    """``rows`` (the header first) as an attachment, every cell neutralised."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([neutralise(cell) for cell in row]) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def set_cells(log) -> list:
    """One logged set's cells, as every spreadsheet of sets shows them: the
    exercise, the side, the set, the target, what was done, the settings."""
    return [
        log.exercise.name,
        log.side,
        log.set_number,
        amount(log.target_reps, log.target_seconds),
        amount(log.reps, log.seconds),
        "; ".join(f"{label}: {value}" for label, value in log.knobs.items()),
    ]

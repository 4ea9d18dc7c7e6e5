"""The trainer's CSV export: one row per set, formulas neutralised."""

import csv
import io

import pytest

from members.models import (
    Profile,
)
from members.web.downloads import neutralise
from tests.factories import put_on_block
from tests.members.logger_helpers import (
    MONDAY,
    finished_workout,
    sessions_of,
)


@pytest.mark.django_db
def test_the_export_has_one_row_per_set_and_neutralises_formulas(trainer_client, trainer, member):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    Profile.objects.filter(user=member).update(display_name="=HYPERLINK(evil)")
    finished_workout(member, sessions_of(block)[0], wall=12)
    response = trainer_client.get("/trainer/export.csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["member", "email", "date"]
    # 18 sets: a session done in full answered the weaker side, so the
    # Patrick step's extra set is logged too.
    assert len(rows) == 1 + 18
    assert rows[1][0] == "'=HYPERLINK(evil)"
    assert {row[5] for row in rows[1:]} >= {"Tibialis raise", "Calf raise"}
    tibialis = next(row for row in rows[1:] if row[5] == "Tibialis raise")
    assert tibialis[8:11] == ["25 reps", "25 reps", "Feet distance from wall: 12 in"]
    dated = trainer_client.get("/trainer/export.csv", {"start": "2026-11-17"})
    assert len(list(csv.reader(io.StringIO(b"".join(dated.streaming_content).decode())))) == 1


def test_neutralise_every_formula_prefix():
    assert [neutralise(v) for v in ["=1", "+1", "-1", "@a", "plain", None, 12]] == [
        "'=1",
        "'+1",
        "'-1",
        "'@a",
        "plain",
        "",
        "12",
    ]

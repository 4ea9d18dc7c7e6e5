"""The drills' own logic: how an outage is measured from what members got."""

import pytest

from bench.drill_restart import outage_counts


def test_an_outage_is_measured_from_the_answers():
    down, up = 10.0, 20.0
    timeline = [
        (9.0, 9.1, 200),  # before: not counted
        (10.5, 12.5, 503),
        (12.6, 13.0, 0),  # a connection that failed
        (19.0, 20.4, 503),
        (20.5, 21.2, 200),  # the first answer after the restart
        (21.3, 21.4, 200),
    ]
    counts = outage_counts(timeline, down=down, up=up)
    assert counts["outage answers (5xx)"] == 2
    assert counts["connections cut"] == 1
    assert counts["first answer after the restart, s"] == pytest.approx(1.2)
    assert counts["last error after the restart, s"] == pytest.approx(0.4)
    assert counts["longest wait for an answer while down, s"] == pytest.approx(2.0)

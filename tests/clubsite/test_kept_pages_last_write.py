"""A set logged drops its member's kept pages with its own upsert
(``kept_pages.dropped_with_last_write``), in the transaction it commits with,
instead of in a statement and a commit of its own at the end of the request.
These posts commit for real, as in production: a test's own transaction
would make the write's a savepoint, where the drop is left to the end."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import ActionKey, KnobSetting, SetLog
from tests.factories import signed_in
from tests.html import elements
from tests.members.logger_helpers import HTMX, session_url, set_post, started_workout

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clear_cache")]

STAMPS_UPDATED = re.compile(r'(^|AS \()UPDATE "members_pagestamp"')


def _stamp_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if STAMPS_UPDATED.search(q["sql"])]


# Session, user, the stamps; for a trainer, the Trainers group check too.
KEPT = 4


def _opened(client, path) -> int:
    """The queries opening the page took: a kept page takes ``KEPT`` or fewer."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def _kept_pages(member, trainer, workout):
    """The member's logger, their trainer's page about them and the
    dashboard, each opened twice: kept."""
    member_client, trainer_client = signed_in(member), signed_in(trainer)
    pages = [
        (member_client, session_url(workout)),
        (trainer_client, f"/trainer/members/{member.pk}/"),
        (trainer_client, "/trainer/"),
    ]
    for client, path in pages:
        _opened(client, path)
        assert _opened(client, path) <= KEPT, path
    return member_client, pages


def _rendered_again(pages) -> list[str]:
    """The pages not served as kept: all of them, once the stamps dropped."""
    return [path for client, path in pages if _opened(client, path) > KEPT]


def test_a_set_drops_the_kept_pages_with_its_upsert(member, trainer):
    """The first set of an exercise with a knob: where the knob stood is
    recorded in the same statement too."""
    workout = started_workout(member, trainer)
    member_client, pages = _kept_pages(member, trainer, workout)
    data = set_post(workout, "Tibialis raise", reps="20")
    with CaptureQueriesContext(connection) as queries:
        answer = member_client.post(session_url(workout, "sets/"), data, **HTMX)
    assert answer.status_code == 200
    statements = [q["sql"] for q in queries]
    if connection.vendor == "postgresql":
        # Session, user, BEGIN, the lock and the read, the upsert, COMMIT.
        assert len(statements) == 6, statements
        (upsert,) = [sql for sql in statements if "INSERT" in sql]
        assert upsert.startswith('WITH written_0 AS (INSERT INTO "members_knobsetting"')
        assert _stamp_writes(queries) == [upsert]
    else:
        # SQLite has no UPDATE inside WITH: the stamps' own statement, at the end.
        assert statements[-1].startswith('UPDATE "members_pagestamp"')
    assert _rendered_again(pages) == [path for _client, path in pages]
    logger = member_client.get(session_url(workout)).text
    assert len(elements(logger, class_="set-row is-logged")) == 1
    wall = KnobSetting.objects.get(workout=workout)
    assert (wall.knob.label, wall.value) == ("Feet distance from wall", 12)


def test_a_refused_set_leaves_the_kept_pages_to_the_end_of_the_request(member, trainer):
    workout = started_workout(member, trainer)
    member_client, _pages = _kept_pages(member, trainer, workout)
    too_many = set_post(workout, "Calf raise", set_number=99, reps="20")
    with CaptureQueriesContext(connection) as queries:
        answer = member_client.post(session_url(workout, "sets/"), too_many, **HTMX)
    assert answer.status_code == 422
    assert [q["sql"] for q in queries][-1].startswith('UPDATE "members_pagestamp"')
    assert not SetLog.objects.exists()


def test_a_set_sent_with_a_key_drops_the_kept_pages_with_its_kept_answer(member, trainer):
    """The phone's post: the set goes with its answer, kept, the last write,
    which drops the stamps."""
    workout = started_workout(member, trainer)
    member_client, pages = _kept_pages(member, trainer, workout)
    data = set_post(workout, "Calf raise", reps="20")
    with CaptureQueriesContext(connection) as queries:
        answer = member_client.post(
            session_url(workout, "sets/"),
            data,
            HTTP_IDEMPOTENCY_KEY="a-set-from-the-phone",
            **HTMX,
        )
    assert answer.status_code == 200
    statements = [q["sql"] for q in queries]
    (stamps,) = _stamp_writes(queries)
    if connection.vendor == "postgresql":
        # Session, user, BEGIN, the key claimed with the lock and the read,
        # the answer kept with the set, the card's knobs and the stamps, COMMIT.
        assert len(statements) == 6, statements
        kept_with_all = (
            r'WITH written_0 AS \(INSERT INTO "members_setlog".*'
            r'written_\d AS \(UPDATE "members_pagestamp".*\) UPDATE "members_actionkey"'
        )
        assert re.match(kept_with_all, stamps)
    else:
        assert stamps == statements[-1]
    assert SetLog.objects.get().reps == 20
    assert ActionKey.objects.get(key="a-set-from-the-phone").status == 200
    assert _rendered_again(pages) == [path for _client, path in pages]

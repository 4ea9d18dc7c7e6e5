"""Writes sent as one statement (clubsite/together.py): on PostgreSQL the
held inserts go as WITH clauses of the next write, and every row lands; on
SQLite each goes on its own, with the same rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clubsite import together
from members.models import PageStamp

pytestmark = pytest.mark.django_db


def _stamps() -> dict[str, str]:
    return dict(PageStamp.objects.values_list("key", "token"))


def test_held_inserts_go_with_the_next_write_and_conflicts_are_ignored():
    PageStamp.objects.create(key="kept", token="old")
    inserts = together.inserted_ignoring_conflicts(
        [PageStamp(key="new", token="n1"), PageStamp(key="kept", token="ignored")]
    )
    with CaptureQueriesContext(connection) as queries, together.sent_with_next_write(inserts):
        PageStamp.objects.filter(key="kept").update(token="updated")
        PageStamp.objects.filter(key="kept").update(token="updated again")
    sent = [q["sql"] for q in queries]
    if connection.vendor == "postgresql":
        assert len(sent) == 2
        assert sent[0].startswith('WITH written_0 AS (INSERT INTO "members_pagestamp"')
        assert not sent[1].startswith("WITH")
    else:
        assert len(sent) == 3 and sent[-1].startswith("INSERT")
    assert _stamps() == {"kept": "updated again", "new": "n1"}


def test_held_inserts_are_sent_at_the_end_of_a_block_that_wrote_nothing():
    inserts = together.inserted_ignoring_conflicts([PageStamp(key="alone", token="a")])
    with together.sent_with_next_write(inserts):
        assert not PageStamp.objects.exists()
    assert _stamps() == {"alone": "a"}


def test_nothing_to_insert_is_no_statement():
    assert together.inserted_ignoring_conflicts([]) == []


def test_writes_are_held_for_the_last_write_only_inside_its_block_and_only_on_postgresql():
    inserts = together.inserted_ignoring_conflicts([PageStamp(key="later", token="l")])
    assert not together.held(inserts)  # no block: the caller sends them
    with together.held_for_last_write() as waiting:
        postgresql = together.held(inserts)
        assert postgresql is (connection.vendor == "postgresql")
        assert together.held_so_far() == len(waiting) == (1 if postgresql else 0)
    assert together.held_so_far() == 0
    if postgresql:
        assert not PageStamp.objects.exists()  # held: not sent
        with together.sent_with_next_write(waiting):
            PageStamp.objects.filter(key="none").update(token="x")
        assert _stamps() == {"later": "l"}


def test_an_update_an_upsert_and_a_delete_written_by_the_orm_do_what_the_orm_would():
    PageStamp.objects.create(key="kept", token="old")
    PageStamp.objects.create(key="gone", token="g")
    statements = [
        together.updated(PageStamp.objects.filter(key="kept"), token="updated"),
        *together.upserted(
            [PageStamp(key="kept", token="upserted"), PageStamp(key="new", token="n")],
            unique_fields=["key"],
            update_fields=["token"],
        ),
        together.deleted(PageStamp.objects.filter(key="gone")),
    ]
    assert _stamps() == {"kept": "old", "gone": "g"}  # written, not sent
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(*statement)
    assert _stamps() == {"kept": "upserted", "new": "n"}

"""Writes sent as one statement: one round trip instead of several.

PostgreSQL runs INSERT, UPDATE and DELETE statements given as WITH clauses of
another statement along with it, in its transaction (``data-modifying
statements in WITH``). A tap of the logger writes a set, records where the
exercise's knobs were and drops the member's kept pages: three writes, sent
together as one statement.

- ``inserted_ignoring_conflicts(objs)`` is the INSERT of a ``bulk_create``
  that ignores conflicts, as the ORM writes it, not sent;
- ``sent_with_next_write(statements)`` puts statements in front of the
  first INSERT, UPDATE or DELETE run inside it, as WITH clauses; what that
  statement returns is its own;
- ``held(statements)``, inside ``held_for_last_write()``, holds writes back
  for a write the block's owner runs once what is inside has returned (a
  keyed post's answer, kept: ``members.logbook.idempotency``).

Each clause reads the database as the statement found it: a clause cannot
see another's rows. So only writes that do not depend on one another go
together. SQLite has no data-modifying WITH: there the statements given run
on their own, after the block's write.
"""

import contextlib
import contextvars
from collections.abc import Iterator, Sequence
from typing import cast

from django.db import connection
from django.db.models import AutoField, Model, QuerySet
from django.db.models.constants import OnConflict
from django.db.models.sql import DeleteQuery, InsertQuery, UpdateQuery

type Statement = tuple[str, list]

_WRITES = ("INSERT", "UPDATE", "DELETE")

# The writes held back for a last write (``held_for_last_write``), if any, and
# how many savepoints were open when the block began.
_held: contextvars.ContextVar[tuple[list[Statement], int] | None] = contextvars.ContextVar(
    "together_held", default=None
)


def together_here() -> bool:
    """Whether this database sends writes together (PostgreSQL)."""
    return connection.vendor == "postgresql"


def several_statements_in_one_string() -> bool:
    """Whether one query string may hold several statements, sent in one
    round trip: on PostgreSQL, with parameters bound on the client (Django's
    default); a statement bound on the server (``server_side_binding``) goes
    alone."""
    return (
        together_here()
        and connection.settings_dict["OPTIONS"].get("server_side_binding") is not True
    )


def inserted_ignoring_conflicts(objs: Sequence[Model]) -> list[Statement]:
    """The INSERT that ``bulk_create(objs, ignore_conflicts=True)`` would
    send, written by the ORM but not sent: for ``sent_with_next_write``.
    The rows' ids are not read back, as ``bulk_create`` does not read them
    when it ignores conflicts."""
    return _inserted(objs, on_conflict=OnConflict.IGNORE)


def upserted(
    objs: Sequence[Model], *, unique_fields: Sequence[str], update_fields: Sequence[str]
) -> list[Statement]:
    """The INSERT that ``bulk_create(objs, update_conflicts=True, ...)``
    would send, not sent; the rows' ids are not read back."""
    return _inserted(
        objs,
        on_conflict=OnConflict.UPDATE,
        unique_fields=unique_fields,
        update_fields=update_fields,
    )


def _inserted(
    objs: Sequence[Model],
    *,
    on_conflict: OnConflict,
    unique_fields: Sequence[str] = (),
    update_fields: Sequence[str] = (),
) -> list[Statement]:
    if not objs:
        return []
    meta = objs[0]._meta
    # As bulk_create sends rows without their ids: all but a generated id.
    fields = [
        field
        for field in meta.concrete_fields
        if not field.generated and not isinstance(field, AutoField)
    ]
    query = InsertQuery(
        type(objs[0]),
        on_conflict=on_conflict,
        update_fields=[meta.get_field(name) for name in update_fields],
        unique_fields=[meta.get_field(name) for name in unique_fields],
    )
    query.insert_values(fields, list(objs))
    compiler = query.get_compiler(connection=connection)
    return [(sql, list(params)) for sql, params in compiler.as_sql()]


def updated(queryset: QuerySet, **values) -> Statement:
    """The UPDATE that ``queryset.update(**values)`` would send, not sent.
    Like ``update()``, it sends no signals."""
    query = cast(UpdateQuery, queryset.query.chain(UpdateQuery))
    query.add_update_values(values)
    sql, params = query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def deleted(queryset: QuerySet) -> Statement:
    """The DELETE of ``queryset``'s rows, not sent: for rows that nothing
    refers to and no signal watches, which ``delete()`` would delete with
    this one statement."""
    query = queryset.query.chain(DeleteQuery)
    sql, params = query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


@contextlib.contextmanager
def sent_with_next_write(statements: list[Statement]) -> Iterator[None]:
    """``statements`` sent as WITH clauses of the first write run inside the
    block; on their own, after the block, where that cannot be (SQLite, or a
    block that wrote nothing)."""
    waiting = list(statements)

    def joined(execute, sql, params, many, context):
        if not waiting or many or not sql.startswith(_WRITES) or not together_here():
            return execute(sql, params, many, context)
        clauses = ", ".join(
            f"written_{n} AS ({held_sql})" for n, (held_sql, _) in enumerate(waiting)
        )
        held_params = [param for _, held_params in waiting for param in held_params]
        waiting.clear()
        return execute(f"WITH {clauses} {sql}", [*held_params, *(params or ())], many, context)

    with connection.execute_wrapper(joined):
        yield
    if waiting:  # no write came: send them now
        with connection.cursor() as cursor:
            for sql, params in waiting:
                cursor.execute(sql, params)


@contextlib.contextmanager
def held_for_last_write() -> Iterator[list[Statement]]:
    """Inside, ``held`` gathers writes in the list this yields, for the
    block's owner to send with a write of its own, run last
    (``sent_with_next_write``). Only writes whose results nothing inside
    reads: each is sent later, in the same transaction. On SQLite nothing is
    held back."""
    waiting: list[Statement] = []
    token = _held.set((waiting, len(connection.savepoint_ids)) if together_here() else None)
    try:
        yield waiting
    finally:
        _held.reset(token)


def held(statements: list[Statement]) -> bool:
    """Whether ``statements`` are held back for the last write of the block
    around (``held_for_last_write``); if not, the caller sends them. Not
    inside a savepoint opened in the block: rolled back, it takes its writes
    with it, which a write held outside it would outlive."""
    found = _held.get()
    if found is None:
        return False
    waiting, savepoints = found
    if any(sid is not None for sid in connection.savepoint_ids[savepoints:]):
        return False
    waiting.extend(statements)
    return True


def held_so_far() -> int:
    """How many writes are held back in the block around, if any."""
    found = _held.get()
    return len(found[0]) if found is not None else 0

"""The rows that belong to a row, read in the row's own query.

``RelatedRows`` is an annotation: every row of another model whose foreign
key points at the row being read, as one JSON array, from a subquery in the
same statement. ``rows_from`` makes them model instances again, as if read
on their own. Prefetching them instead costs a query per relation, each
built and compiled by the ORM again; on a path taken twenty times a session,
a set logged, those queries cost more than the rest of the request.

PostgreSQL and SQLite, the databases the site runs on, each have their SQL.
"""

import datetime as dt
import json
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, NotSupportedError
from django.db.models import (
    BooleanField,
    DateField,
    DateTimeField,
    DecimalField,
    F,
    ForeignKey,
    Func,
    JSONField,
    Model,
    TextField,
)
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime


class RelatedRows(Func):
    """The rows of ``model`` whose ``key`` (a foreign key) points at this
    row, or at the row this row's ``to`` points at, as JSON text: an array of
    objects keyed by column, in no order."""

    output_field = TextField()

    def __init__(self, model: type[Model], *, key: str, to: str = ""):
        field = model._meta.get_field(key)
        if not isinstance(field, ForeignKey):
            raise TypeError(f"{model.__name__}.{key} is not a foreign key.")
        self.model, self.column = model, field.column
        super().__init__(F(to or field.target_field.name))

    def as_sql(self, compiler, connection, function=None, template=None, arg_joiner=None, **extra):
        raise NotSupportedError(f"RelatedRows has no SQL for {connection.vendor}.")

    def _subquery(self, compiler, connection, rows: str) -> tuple[str, list]:
        outer, params = compiler.compile(self.source_expressions[0])
        quote = connection.ops.quote_name
        table, column = quote(self.model._meta.db_table), quote(self.column)
        # Every name is the model's own, quoted: nothing here comes from a request.
        sql = f"(SELECT {rows} FROM {table} related WHERE related.{column} = {outer})"  # noqa: S608
        return sql, params

    def as_postgresql(self, compiler, connection, **extra_context):
        return self._subquery(compiler, connection, "COALESCE(JSON_AGG(related), '[]')::text")

    def as_sqlite(self, compiler, connection, **extra_context):
        quote = connection.ops.quote_name
        pairs = []
        for field in self.model._meta.concrete_fields:
            value = f"related.{quote(field.column)}"
            # A JSON column is text to SQLite: json() keeps it an object.
            if isinstance(field, JSONField):
                value = f"JSON({value})"
            pairs.append(f"'{field.column}', {value}")
        return self._subquery(
            compiler, connection, f"JSON_GROUP_ARRAY(JSON_OBJECT({', '.join(pairs)}))"
        )


def rows_from[M: Model](model: type[M], text: str | None) -> list[M]:
    """The instances of ``model`` a ``RelatedRows`` annotation read."""
    fields = model._meta.concrete_fields
    names = [field.attname for field in fields]
    return [
        model.from_db(
            DEFAULT_DB_ALIAS, names, [_value(field, row[field.column]) for field in fields]
        )
        for row in json.loads(text or "[]", parse_float=Decimal)
    ]


def _value(field, value):
    """A column's JSON value as the field holds it when read from the database."""
    if value is None:
        return None
    if isinstance(field, DateTimeField):
        moment = parse_datetime(value)
        if moment is None:
            raise ValueError(f"Not a moment: {value!r}")
        # SQLite keeps UTC without an offset; PostgreSQL writes one.
        return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)
    if isinstance(field, DateField):
        return parse_date(value)
    if isinstance(field, DecimalField):
        return Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
    if isinstance(field, BooleanField):
        return bool(value)
    return field.to_python(value)

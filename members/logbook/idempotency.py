"""Exactly once on the server: a logger action sent again with its key is
answered as it was the first time, and not done again.

The protocol (for the phone's outbox, and any client):

- Any logger post (start, zero-pain, pain check, log a set, undo, all as
  prescribed, knob, alternative, weaker side, pain on an exercise, finish,
  reopen) may carry ``Idempotency-Key: <token>``: 8 to 100 of ``A-Z a-z 0-9 _ -``
  (a UUID does). One key names one action: make a new one for each tap,
  an edit included. Without the header, nothing here changes anything.
- A form may carry its key as the field ``action_key`` instead; the header
  wins. The page of a session not started yet does, in the forms that start
  it: a double tap on them, with or without the page's script, is one start
  and one answer (after a pain above zero nothing else would tell the second
  tap from a new start).
- A malformed key answers 400 and does nothing.
- The first post with a key does the action and keeps, for this member and
  key, the method and path, the status, the headers htmx and the phone act on
  (Content-Type, Location, HX-*, X-Refusal-Reason) and the body.
- A later post with the same key, by the same member, to the same path does
  nothing and gets that answer again, with ``Idempotent-Replayed: true``
  (whatever its own form or headers say; a page's CSP nonce is the new one).
  The same key to another path answers 422 and does nothing. Another member's
  identical key is another action.
- A refusal is an answer like any other: kept, and given again to the same
  key, even after the session has changed (send a new key to try again). A
  conflict with the session's state, for a key sent in the header (a queued
  action), answers 409 with a short fragment (the reason in a ``<p
  role="alert">``, ``HX-Retarget: #logger-messages``, ``HX-Reswap:
  innerHTML``) and ``X-Refusal-Reason``; for a key in the form (a page the
  browser shows next) it answers as without a key. What was sent wrong
  answers as without a key (422), also with ``X-Refusal-Reason``
  (``members.logbook.refusals``).
- A server error (5xx), or an answer the view raised (a 404 for a session
  that is not the member's), keeps nothing, and nothing was done: send the
  same key again later. Neither does a refusal before the view: sign-in
  (a redirect to the sign-in page), CSRF (403), a GET (405).
- Posts with the same key at once: the key's row is inserted first, in the
  action's transaction, under a unique (member, key) index. A twin waits on
  that index until the first commits, then reads and gives the kept answer
  (on SQLite, ``BEGIN IMMEDIATE`` queues the twin's whole transaction). One
  action, one answer for all, no server error.
- On PostgreSQL the key's insert goes with the action's first statement,
  in one round trip; the action takes no savepoint of its own (``action``:
  it refuses before it writes, so a refusal leaves the transaction as it
  found it); and its write goes with its answer, kept, as one statement
  (``clubsite.together``).
- Keys are kept 14 days (``members.models.actionkeys.KEPT_FOR``):
  ``manage.py send_nudges``, which the scheduler runs every five minutes,
  deletes older ones. A member's are deleted with their account.
"""

import contextlib
import contextvars
import re
from collections.abc import Callable, Iterator
from functools import wraps
from typing import cast

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.middleware.csp import get_nonce
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from clubsite import kept_pages, together
from members.logbook.refusals import REASON_HEADER, Conflict, refusal_of, refused
from members.models import ActionKey
from members.web.requests import AuthenticatedHttpRequest

KEY_HEADER = "Idempotency-Key"
KEY_FIELD = "action_key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEY = re.compile(r"[A-Za-z0-9_-]{8,100}")
_KEPT_HEADERS = {"content-type", "location", REASON_HEADER.lower()}
BAD_KEY = "Idempotency-Key must be 8 to 100 letters, digits, - or _."
OTHER_ACTION = "This Idempotency-Key was used for another action: make a new key for each action."


def logger_post[V: Callable[..., HttpResponse]](view: V) -> V:
    """A logger action: a signed-in member's post, done once per key."""
    return login_required(require_POST(once_per_key(view)))


def once_per_key[V: Callable[..., HttpResponse]](view: V) -> V:
    """Do a keyed action once, and answer its key with the first answer ever
    after (the protocol above). Goes inside ``login_required`` and
    ``require_POST`` (``logger_post`` puts it there): the key is the
    signed-in member's."""

    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, *args, **kwargs) -> HttpResponse:
        key = request.headers.get(KEY_HEADER)
        queued = key is not None
        if key is None:
            key = request.POST.get(KEY_FIELD)
        if key is None:
            return view(request, *args, **kwargs)
        if not _KEY.fullmatch(key):
            return refused(_text(BAD_KEY, status=400), BAD_KEY)
        claim = _Claim(request, key)
        with transaction.atomic():
            try:
                with claim.riding(), together.held_for_last_write() as held:
                    response = view(request, *args, **kwargs)
                    claim.make()
            except KeyTaken:
                # Nothing the view did stays: the first post's answer instead.
                transaction.set_rollback(True)
            else:
                if queued:
                    response = _keyed_answer(request, response)
                if response.status_code >= 500:
                    # Nothing done, nothing kept: the phone sends it again later.
                    transaction.set_rollback(True)
                    return response
                _keep(claim.row, request, response, held)
                return response
        # Taken before, or by a twin sent at the same moment, which has
        # answered by now: its answer.
        kept = _kept_answer(request, key)
        if kept is None:
            raise IntegrityError(f"Action key {key!r} neither claimed nor kept.")
        return kept

    # wraps() hands on the view's own signature, which mypy cannot follow.
    return cast(V, wrapper)


class KeyTaken(Exception):
    """The post's key was claimed before, or by a twin that has committed
    since: the action is not done (its transaction rolls back)."""


class _Claim:
    """The member's key, claimed for this action: its row, inserted in the
    action's transaction, by a statement of its own or, on PostgreSQL, with
    the action's first statement, in one round trip (``riding``). A twin's
    insert waits on the unique (member, key) index until the first commits,
    then finds the key taken (``KeyTaken``); on SQLite, ``BEGIN IMMEDIATE``
    queues the twin's whole transaction. One statement: a new key, which
    nearly every post carries, is not looked up first.

    Counts the writes sent while the action runs, for ``action``."""

    def __init__(self, request, key: str):
        self.row = ActionKey(
            user=request.user, key=key, method=request.method or "", path=request.path
        )
        ((sql, self.params),) = together.inserted_ignoring_conflicts([self.row])
        self.sql = f"{sql} RETURNING {connection.ops.quote_name('id')}"  # ActionKey's own id
        self.pending, self.writes = True, 0

    @contextlib.contextmanager
    def riding(self) -> Iterator[None]:
        """Inside: the claim goes with the first statement sent, and the
        action's writes are counted."""
        token = _claims.set(self)
        try:
            with connection.execute_wrapper(self._sent):
                yield
        finally:
            _claims.reset(token)

    def make(self) -> None:
        """The claim, sent now, if no statement took it along (``riding``)."""
        if self.pending:
            self.pending = False
            with connection.cursor() as cursor:
                cursor.execute(self.sql, self.params)
                self._read_from(cursor)

    def _sent(self, execute, sql, params, many, context):
        if sql != self.sql and sql.lstrip().startswith(_WRITES):
            self.writes += 1
        if not self.pending:
            return execute(sql, params, many, context)
        rides = (
            together.several_statements_in_one_string()
            and not many
            # A string of statements is bound with parameters.
            and (params is not None or "%" not in sql)
            # Not a named cursor's query (``iterator()``), which goes as DECLARE … FOR it.
            and not getattr(context["cursor"].cursor, "name", None)
        )
        if not rides:
            self.make()
            return execute(sql, params, many, context)
        # One query string, two statements or more: the claim's result first.
        self.pending = False
        result = execute(f"{self.sql}; {sql}", [*self.params, *(params or ())], many, context)
        cursor = context["cursor"]
        self._read_from(cursor)
        cursor.nextset()
        return result

    def _read_from(self, cursor) -> None:
        taken = cursor.fetchone()
        if taken is None:
            raise KeyTaken(self.row.key)
        (self.row.pk,) = taken
        self.row._state.adding, self.row._state.db = False, connection.alias


# The claim of the keyed post in progress, if any.
_claims: contextvars.ContextVar[_Claim | None] = contextvars.ContextVar(
    "action_key_claim", default=None
)
# Statements that write, as the ORM and ``clubsite.together`` begin them.
_WRITES = ("INSERT", "UPDATE", "DELETE", "WITH")


def action[F: Callable](func: F) -> F:
    """``transaction.atomic`` for a logger action: a transaction of its own,
    or, inside a keyed post's (``once_per_key``), that one, without a
    savepoint: two statements less. A logger action refuses before it
    writes, so a refusal there leaves the transaction as the action found it,
    and the view goes on to answer it. Should one come after a write, the
    transaction rolls back whole, as it must: nothing of the action, and
    nothing kept, stays."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        claim = _claims.get()
        if claim is None:
            with transaction.atomic():
                return func(*args, **kwargs)
        writes, held = claim.writes, together.held_so_far()
        try:
            with transaction.atomic(savepoint=False):
                return func(*args, **kwargs)
        except DatabaseError:
            raise
        except Exception:
            if (claim.writes, together.held_so_far()) == (writes, held):
                # Nothing written: the transaction is as the action found it.
                transaction.set_rollback(False)
            raise

    return cast(F, wrapper)


def _text(message: str, *, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _keyed_answer(request, response: HttpResponse) -> HttpResponse:
    """A phone's queued action refused by the session's state: 409 and the
    reason alone, wherever the view would have put it (a row, a card, the
    whole page or a redirect with a message)."""
    refusal = refusal_of(response)
    if refusal is None or not refusal[1]:
        return response
    reason = refusal[0]
    answer = render(request, "members/logger.html#page-error", {"message": reason}, status=409)
    return refused(retarget(reswap(answer, "innerHTML"), "#logger-messages"), Conflict(reason))


def _keep(row: ActionKey, request, response: HttpResponse, held: list[together.Statement]) -> None:
    """The answer, kept with its key: the last write of the request, which
    also sends the action's writes ``held`` for it and drops the member's
    kept pages (``kept_pages.dropped_with_last_write``)."""
    nonce = get_nonce(request)
    row.status = response.status_code
    row.headers = {
        name: value
        for name, value in response.items()
        if name.lower() in _KEPT_HEADERS or name.lower().startswith("hx-")
    }
    row.body = response.content.decode(response.charset)
    row.nonce = str(nonce) if nonce else ""
    with kept_pages.dropped_with_last_write(held):
        row.save(update_fields=["status", "headers", "body", "nonce"])


def _kept_answer(request, key: str) -> HttpResponse | None:
    """The answer kept for this member's key, given again; None for a new key."""
    row = ActionKey.objects.filter(user=request.user, key=key).first()
    if row is None:
        return None
    if (row.method, row.path) != (request.method, request.path):
        return refused(_text(OTHER_ACTION, status=422), OTHER_ACTION)
    body = row.body
    # Not yet generated, the nonce is falsy: ``is not None`` asks for one.
    if row.nonce and (nonce := get_nonce(request)) is not None:
        # The kept page's scripts run under this answer's policy, with its nonce.
        body = body.replace(row.nonce, str(nonce))
    headers = dict(row.headers)
    content_type = headers.pop("Content-Type", None)
    response: HttpResponse
    if "Location" in headers:
        response = HttpResponseRedirect(headers.pop("Location"), content_type=content_type)
        response.status_code = row.status
        response.content = body
    else:
        response = HttpResponse(body, status=row.status, content_type=content_type)
    for name, value in headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def forget_old_keys() -> int:
    """Delete the keys kept longer than ``KEPT_FOR``; how many went."""
    deleted, _ = ActionKey.objects.expired().delete()
    return deleted

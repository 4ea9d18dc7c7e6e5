"""Pages kept rendered until a write changes them.

Members open the same few pages again and again (Today, Program, History,
the routine's guide, the session's logger), and the phone's worker fetches
them again after each visit to keep them for offline use; a trainer opens
the dashboard and a member's page many times a day. Most of those requests
find nothing changed. Such a page is kept per viewer, per address and per
day in the process's memory (the ``pages`` cache), with the tokens of the
stamps (``PageStamp``) it depends on:

- a member's (``member_key``): a new token when any write by the member ends
  (every POST of theirs, ``KeptPagesMiddleware``) and when anyone else
  writes about them outside a staff request (an answer by email, the
  scheduler: ``member_changed``, called by the standings' marks and by
  signals);
- ``ANY_MEMBER``: a new token with any member's, and when a visitor asks a
  question;
- the club's: a new token when any write by a trainer or an admin ends (they
  write about members and routines) and when a routine's content is saved
  outside a request (``club_changed``).

A member's own pages (``kept_page``) depend on their stamp and the club's; a
trainer's page about a member (``kept_page_about``) likewise; the dashboard
(``kept_page_over_members``) on ``ANY_MEMBER`` and the club's, and until the
first of its standings lapses (``request.kept_until``).

A kept page is served only while its stamps hold the tokens it was rendered
under: one query, the same on every worker. The stamps are read before the
page is, and a write's new token commits with the write (or after it, for a
whole request), so a page rendered while a write lands is kept under a token
already replaced. Who may see a page changes only by such writes too: a
hand-over, a pause or an ended block by staff, an account deleted by its
member or an admin.

The kept copy has placeholders for the CSRF token and the CSP nonce, filled
in for each request. An htmx request, a page with messages waiting and any
answer but a 200 are not kept.
"""

import contextlib
import contextvars
import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import wraps
from typing import cast

from django.contrib import messages
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.utils import timezone

from clubsite import together
from clubsite.together import Statement

CLUB = "club"
ANY_MEMBER = "any-member"
# Stand-ins in the kept copy: letters only, so HTML escaping leaves them be.
CSRF_MARK = "keptPageCsrfTokenMark"
NONCE_MARK = "keptPageCspNonceMark"


@dataclass
class _Dropping:
    """The stamps the request in progress will drop when it ends (its
    member's and ANY_MEMBER, or the club's for staff): a write inside it need
    not drop them. ``done`` once its last write dropped them as it committed
    (``dropped_with_last_write``)."""

    keys: frozenset[str]
    done: bool = False


_dropping: contextvars.ContextVar[_Dropping | None] = contextvars.ContextVar(
    "kept_pages_dropping", default=None
)


def _dropped_at_end() -> frozenset[str]:
    """The stamps the request in progress drops when it ends, if any."""
    dropping = _dropping.get()
    return dropping.keys if dropping is not None else frozenset()


def member_key(user_id: int) -> str:
    return f"member:{user_id}"


def stamps(keys: list[str]) -> tuple[str, ...]:
    """These stamps' tokens, made where missing."""
    from members.models import PageStamp

    found = dict(PageStamp.objects.filter(key__in=keys).values_list("key", "token"))
    if len(found) < len(keys):
        PageStamp.objects.bulk_create(
            [PageStamp(key=key, token=_token()) for key in keys if key not in found],
            ignore_conflicts=True,
        )
        # Another request may have made one first: theirs stands.
        found = dict(PageStamp.objects.filter(key__in=keys).values_list("key", "token"))
    return tuple(found[key] for key in keys)


def _token() -> str:
    return secrets.token_hex(8)


def _drop(keys: Iterable[str]) -> None:
    """New tokens for these stamps, in the write's own transaction when it has
    one: a page rendered under the old ones is not served again."""
    dropping = _dropped_at_end()
    if CLUB in dropping:
        return  # a staff request: the club's new token, at its end, covers all
    if keys := sorted(set(keys) - dropping):
        with connection.cursor() as cursor:
            cursor.execute(*_drop_sql(keys))


def _drop_sql(keys: list[str]) -> tuple[str, list]:
    """The UPDATE that gives these stamps a new token. Written out: every post
    ends with it, and building the ORM's UPDATE cost as much as running it."""
    from members.models import PageStamp

    quote = connection.ops.quote_name
    table, token, key = quote(PageStamp._meta.db_table), quote("token"), quote("key")
    marks = ", ".join(["%s"] * len(keys))
    sql = f"UPDATE {table} SET {token} = %s WHERE {key} IN ({marks})"  # noqa: S608 - our names
    return sql, [_token(), *keys]


@contextlib.contextmanager
def dropped_with_last_write(held: Iterable[Statement] = ()) -> Iterator[None]:
    """The stamps the request drops when it ends (``KeptPagesMiddleware``),
    dropped instead with the first write run in this block, as part of its
    statement (``clubsite.together``), with the writes ``held`` before it:
    one statement less, and one commit less.

    For the last write of a request, in its outermost transaction, with
    nothing written after the transaction commits (a set logged, then its
    row rendered). The stamps' rows stay locked until the commit, as they do
    while the middleware's UPDATE commits. A write with more to do before it
    commits leaves the stamps to a later one: an action inside a keyed post's
    transaction, to its answer, kept after it. SQLite, which has no
    data-modifying WITH, and a write outside a request leave them to the
    middleware."""
    statements = list(held)
    dropping = _dropping.get()
    outermost = connection.in_atomic_block and not connection.savepoint_ids
    if dropping is not None and outermost and together.together_here():
        statements.append(_drop_sql(sorted(dropping.keys)))
        # Sent with the write, or at the end of the block: done once it commits.
        transaction.on_commit(lambda: setattr(dropping, "done", True))
    with together.sent_with_next_write(statements):
        yield


def member_changed(user_ids: Iterable[int | None]) -> None:
    """Something these members' pages show was written; and so perhaps a
    dashboard (a question from a visitor, who is no member, too)."""
    _drop([*(member_key(pk) for pk in user_ids if pk is not None), ANY_MEMBER])


def block_changed(assignment_id: int) -> None:
    """Something the pages of this block's member show was written."""
    if CLUB in _dropped_at_end():
        return
    from members.models import Assignment

    member_changed(Assignment.objects.filter(pk=assignment_id).values_list("member_id", flat=True))


def club_changed(**kwargs) -> None:
    """Something every page kept may show was written (a routine, say)."""
    _drop([CLUB])


def _member_row_written(sender, instance, **kwargs) -> None:
    member_changed([instance.user_id if hasattr(instance, "user_id") else instance.member_id])


def _block_row_written(sender, instance, **kwargs) -> None:
    block_changed(instance.assignment_id)


def _user_written(sender, instance, update_fields=None, **kwargs) -> None:
    """An account changed outside a request (a shell, a script): staff may
    have lost their rights, a member their account."""
    if update_fields and set(update_fields) <= {"last_login"}:
        return
    if instance.is_staff or instance.is_superuser:
        club_changed()
    else:
        member_changed([instance.pk])


def connect() -> None:
    """Rows the kept pages show that the standings' marks do not cover
    (``members.coaching.standings.mark_stale`` calls ``member_changed``),
    accounts, and every routine's content, its many-to-many links included.
    Called once the apps are ready."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from members.models import Profile, StepOverride, TrainerNote, User

    routines = list(apps.get_app_config("routines").get_models())
    for routine_row in routines:
        for field in routine_row._meta.many_to_many:  # an exercise's equipment, say
            through = field.remote_field.through
            m2m_changed.connect(club_changed, sender=through, dispatch_uid="kept-pages")
    for signal in (post_save, post_delete):
        signal.connect(_user_written, sender=User, dispatch_uid="kept-pages")
        for member_row in (Profile, StepOverride):
            signal.connect(_member_row_written, sender=member_row, dispatch_uid="kept-pages")
        signal.connect(_block_row_written, sender=TrainerNote, dispatch_uid="kept-pages")
        for routine_row in routines:
            signal.connect(club_changed, sender=routine_row, dispatch_uid="kept-pages")


def _keeps(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and request.user.is_authenticated
        and "HX-Request" not in request.headers
        and not len(messages.get_messages(request))
    )


def _filled(request: HttpRequest, html: str) -> str:
    """The page with this request's CSRF token and CSP nonce."""
    html = html.replace(CSRF_MARK, get_token(request))
    return html.replace(NONCE_MARK, str(request._csp_nonce))  # type: ignore[attr-defined]


def _kept_response(request: HttpRequest, kept: dict) -> HttpResponse:
    response = HttpResponse(_filled(request, kept["html"]))
    for name, value in kept["headers"]:
        response.headers[name] = value
    return response


def _served(request: HttpRequest, keys: list[str], view, args, kwargs) -> HttpResponseBase:
    """The page as kept for this viewer, if its stamps still hold and its time
    has not run out; else rendered by ``view``, and kept if it is a 200. A view
    whose page lapses on its own sets ``request.kept_until``."""
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    key = f"{request.user.pk}:{timezone.localdate().isoformat()}:{path}"
    stamped = stamps(keys)
    pages = caches["pages"]
    kept = pages.get(key)
    if (
        kept is not None
        and kept["stamps"] == stamped
        and (kept["until"] is None or timezone.now() < kept["until"])
    ):
        return _kept_response(request, kept)
    nonce = request._csp_nonce  # type: ignore[attr-defined]
    request._csp_nonce, request.kept_page = NONCE_MARK, True  # type: ignore[attr-defined]
    try:
        response = view(request, *args, **kwargs)
    finally:
        request._csp_nonce, request.kept_page = nonce, False  # type: ignore[attr-defined]
    if not isinstance(response, HttpResponse):
        return response
    html = response.content.decode(response.charset)
    if response.status_code == 200:
        pages.set(
            key,
            {
                "stamps": stamped,
                "until": getattr(request, "kept_until", None),
                "html": html,
                "headers": list(response.headers.items()),
            },
        )
    response.content = _filled(request, html)
    return response


def keeping(request: HttpRequest) -> bool:
    """Whether the page being rendered is to be kept."""
    return getattr(request, "kept_page", False)


def keep_until(request: HttpRequest, moment: dt.datetime | None) -> None:
    """The page being kept lapses at ``moment`` (None: with the day)."""
    request.kept_until = moment  # type: ignore[attr-defined]


def kept_page[V: Callable[..., HttpResponseBase]](view: V) -> V:
    """Keep a member's own page (a GET view, signed in) until a write changes
    it. Innermost of the view's decorators, so theirs still apply to a kept
    page. Staff pass by: their pages show many members."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if request.user.is_staff or not _keeps(request):
            return view(request, *args, **kwargs)
        keys = [member_key(cast(int, request.user.pk)), CLUB]
        return _served(request, keys, view, args, kwargs)

    return cast(V, wrapper)


def kept_page_about[V: Callable[..., HttpResponseBase]](view: V) -> V:
    """Keep a trainer's page about one member (``pk`` in the URL) until a write
    changes it: the member's or any staff member's. Innermost of the view's
    decorators, under the trainer check; who may see the member is the view's
    to say, and only those writes change it."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if not _keeps(request):
            return view(request, *args, **kwargs)
        return _served(request, [member_key(kwargs["pk"]), CLUB], view, args, kwargs)

    return cast(V, wrapper)


def kept_page_over_members[V: Callable[..., HttpResponseBase]](view: V) -> V:
    """Keep a trainer's page over many members (the dashboard) until any
    member's write or any staff member's, or until ``request.kept_until``.
    Innermost of the view's decorators, under the trainer check."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if not _keeps(request):
            return view(request, *args, **kwargs)
        return _served(request, [ANY_MEMBER, CLUB], view, args, kwargs)

    return cast(V, wrapper)


def csrf_mark(request: HttpRequest) -> dict:
    """A context processor: the CSRF token's placeholder while a page is
    rendered to be kept (after Django's own, which it then stands in for)."""
    return {"csrf_token": CSRF_MARK} if getattr(request, "kept_page", False) else {}


class KeptPagesMiddleware:
    """Gives new tokens to the stamps of whoever wrote, once their write has
    ended: a member's own and ``ANY_MEMBER``, or the club's for staff."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        keys = {CLUB} if user.is_staff else {member_key(user.pk), ANY_MEMBER}
        dropping = _Dropping(frozenset(keys))
        token = _dropping.set(dropping)
        try:
            return self.get_response(request)
        finally:
            _dropping.reset(token)
            # Every write of the request has committed or rolled back by now.
            if not dropping.done:
                _drop(keys)

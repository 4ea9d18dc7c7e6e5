"""A keyed post's transaction: the key claimed with the action's first
statement, the action without a savepoint of its own, and what it does when
an action refuses before it writes, or after."""

import contextlib

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from clubsite import together
from members.logbook.idempotency import KEY_HEADER, action, once_per_key
from members.models import ActionKey, PageStamp, SetLog, Workout
from tests.members.logbook.action_keys import KEY, a_set, keyed, url
from tests.members.logger_helpers import started_workout

pytestmark = pytest.mark.django_db


def _claims(queries) -> list[str]:
    """The statements that insert a key: one, as sent."""
    table = f'INTO "{ActionKey._meta.db_table}"'
    return [q["sql"] for q in queries if table in q["sql"]]


@pytest.mark.parametrize(
    "server_side_binding", [False, True], ids=["client-bound", "server-bound"]
)
def test_the_key_goes_with_the_actions_first_statement_where_a_string_holds_several(
    member_client, member, trainer, server_side_binding, monkeypatch
):
    """On PostgreSQL, with parameters bound on the client (Django's default),
    the claim and the lock go as one query string; bound on the server, and
    on SQLite, the claim is a statement of its own. The set and the key are
    kept either way."""
    workout = started_workout(member, trainer)
    options = connection.settings_dict["OPTIONS"]
    monkeypatch.setitem(options, "server_side_binding", server_side_binding)
    with CaptureQueriesContext(connection) as queries:
        answer = member_client.post(url(workout, "sets/"), a_set(workout, reps="25"), **keyed())
    assert answer.status_code == 302
    (claim,) = _claims(queries)
    riding = connection.vendor == "postgresql" and not server_side_binding
    assert ('RETURNING "id"; SELECT' in claim) is riding, claim
    assert SetLog.objects.get().reps == 25
    assert ActionKey.objects.get(key=KEY).status == 302


def _keyed_request(member):
    request = RequestFactory().post("/me/sessions/1/test/", headers={KEY_HEADER: KEY})
    request.user = member
    return request


def test_an_answer_made_without_a_statement_is_kept_with_its_key(member):
    """A view that sends nothing: the key is claimed once it has answered."""
    view = once_per_key(lambda request: HttpResponse("Done.", status=201))

    first = view(_keyed_request(member))
    again = view(_keyed_request(member))

    assert (first.status_code, first.content) == (201, b"Done.")
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (
        201,
        b"Done.",
        "true",
    )
    assert ActionKey.objects.get(key=KEY).body == "Done."


@action
def _stamp_then_refuse(*, write_first: bool) -> None:
    """An action that may refuse after a write, which a logger action never does."""
    if write_first:
        PageStamp.objects.create(key="written-before-the-refusal", token="t")
    raise ValidationError("Refused.")


def _answering_the_refusal(*, write_first: bool):
    """A view as the logger's are: the refusal is answered, after a read."""

    def view(request):
        try:
            _stamp_then_refuse(write_first=write_first)
        except ValidationError:
            return HttpResponse(f"Refused, {Workout.objects.count()} sessions.", status=422)
        return HttpResponse("Done.")

    return once_per_key(view)


def test_an_action_refused_before_it_writes_is_answered_and_kept(member):
    """No savepoint around the action: it wrote nothing, so the transaction
    goes on as the action found it, and the refusal is kept."""
    answer = _answering_the_refusal(write_first=False)(_keyed_request(member))

    assert (answer.status_code, answer.content) == (422, b"Refused, 0 sessions.")
    assert ActionKey.objects.get(key=KEY).status == 422


def test_an_action_refused_after_it_wrote_rolls_back_whole_and_keeps_nothing(member):
    """Without a savepoint, what it wrote cannot be taken back alone: the
    transaction rolls back, the write and the key with it."""
    with pytest.raises(TransactionManagementError):
        _answering_the_refusal(write_first=True)(_keyed_request(member))

    assert not PageStamp.objects.filter(key="written-before-the-refusal").exists()
    assert not ActionKey.objects.exists()


def test_a_query_read_in_chunks_first_goes_without_the_key(member):
    """A named cursor's query (``iterator()``) is sent as DECLARE … FOR it,
    which cannot hold the key's insert in front: the key goes alone."""
    PageStamp.objects.create(key="chunked", token="t")

    def view(request):
        return HttpResponse(",".join(stamp.key for stamp in PageStamp.objects.iterator()))

    answer = once_per_key(view)(_keyed_request(member))

    assert answer.content == b"chunked"
    assert ActionKey.objects.get(key=KEY).status == 200


def test_a_write_held_inside_a_savepoint_rolled_back_is_not_sent(member):
    """Inside a savepoint, a write is sent at once, so that rolling the
    savepoint back takes it back; held, it would go with the kept answer."""

    def view(request):
        with contextlib.suppress(ValueError), transaction.atomic():
            statements = together.inserted_ignoring_conflicts([PageStamp(key="held", token="h")])
            if not together.held(statements):
                with connection.cursor() as cursor:
                    for statement in statements:
                        cursor.execute(*statement)
            raise ValueError("rolled back")
        return HttpResponse("Done.")

    answer = once_per_key(view)(_keyed_request(member))

    assert answer.status_code == 200
    assert not PageStamp.objects.filter(key="held").exists()
    assert ActionKey.objects.get(key=KEY).status == 200


@pytest.mark.parametrize(
    ("sql", "read"), [("SELECT 1", "1"), ("SELECT '100%'", "100%"), ("SELECT '100%%'", "100%%")]
)
def test_the_statement_the_key_rides_with_reads_its_own_rows(member, sql, read):
    """Sent without parameters, a statement with a "%" goes after the key,
    not with it: bound together, the "%" would be read as a placeholder."""

    def view(request):
        with connection.cursor() as cursor:
            cursor.execute(sql)
            (value,) = cursor.fetchone()
        return HttpResponse(str(value))

    assert once_per_key(view)(_keyed_request(member)).content.decode() == read
    assert ActionKey.objects.get(key=KEY).status == 200


def test_an_update_the_key_rides_with_counts_its_own_rows(member):
    PageStamp.objects.create(key="counted", token="old")

    def view(request):
        return HttpResponse(str(PageStamp.objects.filter(key="counted").update(token="new")))

    assert once_per_key(view)(_keyed_request(member)).content == b"1"
    assert PageStamp.objects.get(key="counted").token == "new"

"""When the database cannot be reached (a restart, a failover), pages answer 503
with a "try again" page and Retry-After, never a traceback; other errors keep
the 500 page. ``make drills`` restarts a real PostgreSQL under load."""

import psycopg
import pytest
from django.db import OperationalError

from clubsite import env
from clubsite.db import check_pooled_connection
from clubsite.views import server_error
from tests.clubsite.unreachable import run_without_database

INTERNALS = ("Traceback", "OperationalError", "sqlite3", "django.db", "File ")


def _while_raising(error, request):
    try:
        raise error
    except type(error):
        return server_error(request)


def test_database_unreachable_is_a_503_asking_to_try_again(rf):
    response = _while_raising(OperationalError("connection refused"), rf.get("/me/history/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "Back in a moment" in page and "try again in a minute" in page
    assert 'href="/me/history/">Try again' in page
    assert not any(word in page for word in INTERNALS)


def test_a_post_that_failed_is_sent_again_from_the_page_before(rf):
    response = _while_raising(OperationalError("gone"), rf.post("/me/sessions/3/finish/"))
    page = response.content.decode()
    assert "go back and send it once more" in page
    assert 'href="/">Back to the home page' in page


def test_htmx_gets_a_short_message_not_a_page(rf):
    request = rf.post("/me/sessions/3/sets/", HTTP_HX_REQUEST="true")
    response = _while_raising(OperationalError("gone"), request)
    assert response.status_code == 503
    assert response.content.decode() == (
        '<p class="message message-error" role="alert">Not saved: try again in a minute.</p>'
    )


def test_other_errors_keep_the_500_page(rf):
    response = _while_raising(ValueError("a bug"), rf.get("/me/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert not response.has_header("Retry-After")


def test_a_real_server_whose_database_is_gone_answers_503(tmp_path):
    """The whole stack, DEBUG off: the session is read from a database that
    cannot be opened, in middleware before any view."""
    code = (
        "from django.test import Client\n"
        "from django.test.utils import override_settings\n"
        # Hashed static names need collectstatic, which a checkout has not run.
        "override_settings(STORAGES={'staticfiles': {'BACKEND': "
        "'django.contrib.staticfiles.storage.StaticFilesStorage'}}).enable()\n"
        "client = Client(raise_request_exception=False)\n"
        "client.cookies['sessionid'] = 'a-session'\n"
        "page = client.get('/me/')\n"
        "fragment = client.post('/me/sessions/1/sets/', {'step': 1}, HTTP_HX_REQUEST='true')\n"
        "for response in (page, fragment):\n"
        "    print(response.status_code, response['Retry-After'], "
        "'Traceback' in response.content.decode())\n"
        "print('Back in a moment' in page.content.decode(), "
        "'Not saved' in fragment.content.decode())\n"
    )
    result = run_without_database(code, tmp_path)
    assert result.stdout.split("\n")[:3] == ["503 30 False", "503 30 False", "True True"], (
        result.stderr
    )


def test_the_postgres_pool_rides_out_a_restart(monkeypatch):
    monkeypatch.setenv("GU_TEST_DB", "postgres://club@db.internal:5432/groundup")
    pool = env.database("GU_TEST_DB", default_sqlite_path="unused")["OPTIONS"]["pool"]
    env.READ.discard("GU_TEST_DB")
    # A connection cut by a restart is replaced, not handed to a request.
    assert pool["check"] is check_pooled_connection
    # A request gives up in seconds, well before gunicorn's 30 s worker timeout.
    assert pool["timeout"] <= 5
    # Reconnecting goes back to trying on demand soon after the database returns.
    assert pool["reconnect_timeout"] <= 10
    # Threads sharing a process are not held to psycopg's default of four.
    assert pool["max_size"] > 4


@pytest.mark.parametrize("query", ["?sslmode=require", ""])
def test_url_options_sit_beside_the_pool(monkeypatch, query):
    monkeypatch.setenv("GU_TEST_DB", f"postgres://club@db.internal:5432/groundup{query}")
    options = env.database("GU_TEST_DB", default_sqlite_path="unused")["OPTIONS"]
    env.READ.discard("GU_TEST_DB")
    assert options["pool"]["timeout"] == 2
    assert options.get("sslmode") == ("require" if query else None)


class _Pool:
    def __init__(self):
        self.checks = 0

    def check(self):
        self.checks += 1


class _Connection:
    autocommit = True

    def __init__(self, *, alive: bool):
        self.alive, self._pool = alive, _Pool()

    def execute(self, query):
        if not self.alive:
            raise psycopg.OperationalError("server closed the connection unexpectedly")


def test_a_live_connection_is_handed_out():
    connection = _Connection(alive=True)
    check_pooled_connection(connection)
    assert connection._pool.checks == 0


def test_a_dead_connection_has_the_pool_check_every_idle_one_at_once():
    """A restart cut them all: found one a second, they would outlast the
    request's 2 s (the restart drill's idle restart failed requests so)."""
    connection = _Connection(alive=False)
    with pytest.raises(psycopg.OperationalError):
        check_pooled_connection(connection)
    assert connection._pool.checks == 1

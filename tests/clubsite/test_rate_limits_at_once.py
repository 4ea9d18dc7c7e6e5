"""The limits hold exactly when requests arrive together, from threads and from
several OS processes, on each shared cache the site can run with: the database
cache (counters in the RateCount table) and Redis (``REDIS_URL``).

As found: twenty contact-form posts at once stored six questions against a
limit of five, because the form checked the count, then counted (and the
database cache's ``incr`` is a read, then a write). Races need real
concurrency, so the bursts run on PostgreSQL; the sequential two-process test
runs on SQLite too.

Redis is the one in tests/redis_cache.py."""

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import time_machine
from django.core import mail
from django.db import connection

from members.accounts.limits import INVITATIONS_PER_HOUR
from members.models import Invitation, Question, RateCount, User
from members.questions.services import QUESTIONS_PER_HOUR
from members.web import ratelimit
from members.web.ratelimit import Limit
from tests.clubsite.rate_limited import at_once, make
from tests.factories import PASSWORD
from tests.redis_cache import redis_cache

pytestmark = pytest.mark.usefixtures("clear_cache")

FAILED_SIGN_INS = 5  # allauth: login_failed, 5 per 5 minutes per address
RESETS = 5  # allauth: reset_password, 5 a minute per address
ROOT = Path(__file__).resolve().parents[2]

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a race needs PostgreSQL: SQLite lets one writer in at a time",
)


@pytest.fixture(autouse=True)
def mid_hour():
    """Twenty past the hour, so no hourly window closes while a test runs."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 18, 20, tzinfo=dt.UTC), tick=True):
        yield


@pytest.fixture(params=["database", "redis"])
def shared_cache(request):
    """Each cache the site can share between processes; yields the CACHES
    setting, which another process of the test is given too."""
    if request.param == "database":
        yield None  # the settings' own: the database cache
        return
    with redis_cache() as (caches, _, _):
        yield caches


def _addresses(count: int, start: int = 0) -> list[str]:
    return [f"new{n}@example.com" for n in range(start, start + count)]


def _statuses(outcomes) -> list[int]:
    return sorted(outcome["status"] for outcome in outcomes)


def _invite_group(trainer: User, people: list[str]) -> int:
    (outcome,) = make([("invite", {"people": people})], trainer_email=trainer.email)
    return outcome["status"]


# The counter itself.


@pytest.mark.django_db(transaction=True)
def test_a_refused_take_counts_nothing_and_a_give_back_frees_a_use(shared_cache):
    """A visitor's own limit and their network's, taken together as the
    contact form does."""
    own, network = Limit("visitor:a", 2), Limit("ip:a", 3)
    assert ratelimit.take("test", [own, network], period=3600) is None
    assert ratelimit.take("test", [own, network], period=3600) is None
    # The visitor's own limit is spent; their network's third use stays free.
    assert ratelimit.take("test", [own, network], period=3600) == own
    assert ratelimit.uses_left("test", network, period=3600) == 1
    assert ratelimit.take("test", [Limit("visitor:b", 2), network], period=3600) is None
    assert ratelimit.take("test", [Limit("visitor:c", 2), network], period=3600) == network

    ratelimit.give_back("test", [own, network], period=3600)
    assert ratelimit.tripped("test", [own, network], period=3600) is None
    assert ratelimit.take("test", [own, network], period=3600) is None
    # A new window starts from nothing.
    with time_machine.travel(dt.datetime(2026, 3, 2, 19, 1, tzinfo=dt.UTC), tick=False):
        assert ratelimit.uses_left("test", own, period=3600) == 2


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_forty_takes_at_once_get_ten_uses(shared_cache):
    """The counter alone, without the requests around it."""
    limit = Limit("user:1", 10)
    taken = at_once([lambda: ratelimit.take("test", [limit], period=3600)] * 40)
    assert taken.count(None) == 10
    assert ratelimit.uses_left("test", limit, period=3600) == 0


@pytest.mark.django_db
def test_counters_of_closed_windows_are_deleted_as_new_ones_open():
    """On the database cache the counters are rows: they do not pile up."""
    ratelimit.take("test", [Limit("user:1", 5)], period=60)
    assert RateCount.objects.count() == 1
    with time_machine.travel(dt.datetime(2026, 3, 2, 18, 30, tzinfo=dt.UTC), tick=False):
        ratelimit.take("test", [Limit("user:2", 5)], period=60)
    (key,) = RateCount.objects.values_list("key", flat=True)
    assert key.startswith("ratelimit:test:user:2:")


# Threads in this process, against PostgreSQL.


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_questions_at_once_store_five(shared_cache, trainer):
    """As found: one visitor's twenty posts at once. Five are stored; the rest
    hear the limit's message (a 429 that keeps what was typed), never a 500."""
    outcomes = make(
        [("ask", {"subject": f"At once {n}"}) for n in range(20)],
        trainer_email=trainer.email,
        together=True,
    )

    assert _statuses(outcomes) == [302] * QUESTIONS_PER_HOUR + [429] * 15
    assert all(o["told"] for o in outcomes if o["refused"])
    assert Question.objects.count() == QUESTIONS_PER_HOUR
    assert len(mail.outbox) == 2 * QUESTIONS_PER_HOUR  # to the club, and a receipt


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_last_invitations_of_the_hour_go_once_when_sent_at_once(shared_cache, trainer):
    """Five left; ten single invitations at once: five go. Then four groups of
    four at once with eight left: two go, whole."""
    # A group holds at most fifty people.
    assert (
        _invite_group(trainer, _addresses(50)) == _invite_group(trainer, _addresses(5, 50)) == 302
    )

    singles = make(
        [("invite", {"people": [address]}) for address in _addresses(10, start=100)],
        trainer_email=trainer.email,
        together=True,
    )
    assert _statuses(singles) == [302] * 5 + [429] * 5
    assert Invitation.objects.count() == INVITATIONS_PER_HOUR

    # A new hour, and the trainer has used 52 of it.
    with time_machine.travel(dt.datetime(2026, 3, 2, 19, 20, tzinfo=dt.UTC), tick=True):
        assert _invite_group(trainer, _addresses(50, 200)) == 302
        assert _invite_group(trainer, _addresses(2, 250)) == 302
        groups = make(
            [("invite", {"people": _addresses(4, start=300 + 10 * g)}) for g in range(4)],
            trainer_email=trainer.email,
            together=True,
        )
    assert _statuses(groups) == [302, 302, 429, 429]
    assert Invitation.objects.count() == 2 * INVITATIONS_PER_HOUR
    assert len(mail.outbox) == 2 * INVITATIONS_PER_HOUR


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_allauths_password_reset_limit_holds_at_once(shared_cache, member, trainer):
    """allauth's own limits keep a list of times under a lock made with the
    cache's add() (atomic on both caches): twenty resets at once send at most
    five emails. Under load the lock may refuse some early, never let more by."""
    outcomes = make(
        [("password_reset", {"email": member.email})] * 20,
        trainer_email=trainer.email,
        together=True,
    )
    assert set(_statuses(outcomes)) <= {302, 429}
    assert 1 <= len(mail.outbox) <= RESETS
    assert _statuses(outcomes).count(302) == len(mail.outbox)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_allauths_failed_sign_in_limit_holds_at_once(shared_cache, member, trainer):
    """allauth counts a sign-in attempt before it checks the password (and
    gives it back when the password was right): twenty guesses at once get at
    most five passwords checked. Its counters take a lock made with the cache's
    add(): under load the lock may turn some away early (a 429), never let
    more by."""
    outcomes = make(
        [("sign_in", {"email": member.email, "password": f"guess-{n}"}) for n in range(20)],
        trainer_email=trainer.email,
        together=True,
    )
    assert set(_statuses(outcomes)) <= {200, 429}
    checked = [o for o in outcomes if o["status"] == 200 and not o["refused"]]
    assert 1 <= len(checked) <= FAILED_SIGN_INS


# Other OS processes, one cache.


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """The test database where another process can open it; yields the
    DATABASE_URL that process needs. PostgreSQL's test database is one
    already. SQLite's is in this process's memory: it is copied to a file,
    and this process uses that file too until the test ends."""
    if connection.vendor == "postgresql":
        url = urlsplit(os.environ["DATABASE_URL"])
        yield urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
        return
    assert connection.vendor == "sqlite"
    if not connection.is_in_memory_db():
        yield f"sqlite:///{connection.settings_dict['NAME']}"
        return
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    in_memory, name = connection.connection, connection.settings_dict["NAME"]
    copy = sqlite3.connect(path)
    in_memory.backup(copy)
    copy.close()
    # Django never closes an in-memory test database: set it aside, still open.
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = in_memory


def _start(database_url: str, plan: dict) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.clubsite.rate_limited", json.dumps(plan)],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "clubsite.settings"
            ),
        },
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _outcomes(process: subprocess.Popen) -> list[dict]:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err[-4000:]
    (line,) = [line for line in out.splitlines() if line.startswith("OUTCOMES ")]
    return json.loads(line.removeprefix("OUTCOMES "))


def in_processes(database_url: str, plans: list[dict], *, caches, trainer_email: str):
    """Run each plan in an OS process of its own, all set up first and then
    started together; the outcomes of each."""
    common = {"now": time.time(), "trainer": trainer_email, "caches": caches}
    together = len(plans) > 1
    processes = [
        _start(database_url, {**common, **plan, "wait_for_go": together}) for plan in plans
    ]
    if together:
        for process in processes:
            assert process.stdout.readline().strip() == "READY", process.stderr.read()[-4000:]
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
    return [_outcomes(process) for process in processes]


def _refused(outcomes) -> list[bool]:
    return [outcome["refused"] for outcome in outcomes]


@pytest.mark.django_db(transaction=True)
def test_each_limit_holds_across_two_processes(shared_database, shared_cache, member, trainer):
    """This process uses part of each limit; the second process uses the rest
    and is refused once over; then this process is refused too. Were the
    counters per process (a local-memory cache), neither would be refused."""
    wrong = {"email": member.email, "password": "wrong-password"}
    reset = {"email": member.email}
    group = _addresses(30)
    here = make(
        [("sign_in", wrong)] * 2
        + [("password_reset", reset)] * 2
        + [("ask", {"subject": f"Here {n}"}) for n in range(2)]
        + [("invite", {"people": group})],
        trainer_email=trainer.email,
    )
    assert not any(_refused(here))
    sent_here = len(mail.outbox)

    (there,) = in_processes(
        shared_database,
        [
            {
                "requests": [("sign_in", wrong)] * (FAILED_SIGN_INS - 2)
                + [("sign_in", {**wrong, "password": PASSWORD})]
                + [("password_reset", reset)] * (RESETS - 2 + 1)
                + [("ask", {"subject": f"There {n}"}) for n in range(QUESTIONS_PER_HOUR - 2 + 1)]
                + [("invite", {"people": _addresses(INVITATIONS_PER_HOUR - 30 - 1, start=30)})]
                + [("invite", {"people": ["last@example.com"]})]
                + [("invite", {"people": ["over@example.com"]})]
            }
        ],
        caches=shared_cache,
        trainer_email=trainer.email,
    )
    assert _refused(there) == (
        [False] * (FAILED_SIGN_INS - 2)
        + [True]
        + [False] * (RESETS - 2)
        + [True]
        + [False] * (QUESTIONS_PER_HOUR - 2)
        + [True]
        + [False, False, True]
    )
    # A refused request sent nothing and signed no one in.
    assert all(o["emails"] == 0 for o in there if o["refused"])
    assert not any(o.get("signed_in") for o in there)

    # Back here, every limit is used up too.
    again = make(
        [
            ("sign_in", {**wrong, "password": PASSWORD}),
            ("password_reset", reset),
            ("ask", {"subject": "Here again"}),
            ("invite", {"people": ["here.over@example.com"]}),
        ],
        trainer_email=trainer.email,
    )
    assert _refused(again) == [True, True, True, True]
    assert len(mail.outbox) == sent_here
    # Nothing the refused requests carried was stored, whichever process made them.
    assert Question.objects.count() == QUESTIONS_PER_HOUR
    assert Invitation.objects.count() == INVITATIONS_PER_HOUR
    assert not User.objects.filter(
        email__in=["over@example.com", "here.over@example.com"]
    ).exists()


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_questions_at_once_from_two_processes_store_five(shared_database, shared_cache, trainer):
    """Two web processes, ten threads each, twenty posts released together:
    five questions stored between them."""
    plans = [
        {
            "requests": [("ask", {"subject": f"Process {p}, post {n}"}) for n in range(10)],
            "at_once": True,
        }
        for p in range(2)
    ]
    outcomes = in_processes(
        shared_database, plans, caches=shared_cache, trainer_email=trainer.email
    )

    both = outcomes[0] + outcomes[1]
    assert _statuses(both) == [302] * QUESTIONS_PER_HOUR + [429] * 15
    assert all(o["told"] for o in both if o["refused"])
    assert Question.objects.count() == QUESTIONS_PER_HOUR

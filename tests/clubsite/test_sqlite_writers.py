"""The default SQLite set-up (``make run``: no DATABASE_URL) has two writers,
the web server and the task worker. A set posted while the worker writes must
be stored and answered, never a 500 "database is locked".

The test's own database is in memory and shared by one process, so this runs
the real settings in subprocesses against a SQLite file: one writes in short
transactions as the worker does, and one makes the database (a member with a
workout started), then posts every set of the session through the real view
while the other writes. Two processes in all, each started once: Django's
start-up is most of what a process costs here."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, os, sys, time
import django
django.setup()
from django.db import OperationalError, transaction
from django.core.cache import cache

mode = sys.argv[1]
if mode == "writer":
    # The worker's shape: read, then write, in one short transaction, again and
    # again. Its own failures are counted, not fatal: the question is the web's.
    # It starts writing when told (the database is made by then).
    sys.stdin.readline()
    stop, deadline = sys.argv[2], time.monotonic() + 120
    writes = locked = 0
    while time.monotonic() < deadline and not os.path.exists(stop):
        try:
            with transaction.atomic():
                cache.get(f"worker-{writes % 50}")
                cache.set(f"worker-{writes % 50}", writes, 600)
            writes += 1
            if writes == 1:
                print("ready", flush=True)
        except OperationalError:
            locked += 1
        time.sleep(0.002)  # a real worker runs the task (sends the mail) between writes
    print(json.dumps({"writes": writes, "locked": locked}), flush=True)
elif mode == "poster":
    # Makes the database (a member with a workout started), says how many sets
    # the session has, then, when told, posts every set through the real view
    # twice (new sets, then the same sets edited) and counts what is stored.
    from django.core.management import call_command
    from django.test import Client
    from members.models import Profile, SetLog
    from members.logbook.plan import build_plan
    from tests.factories import TrainerFactory, UserFactory
    from tests.members.logger_helpers import started_workout

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    trainer = TrainerFactory(email="makana@example.com", display_name="Makana")
    member = UserFactory(email="alex@example.com", display_name="Alex Rivera")
    workout = started_workout(member, trainer)
    slots = build_plan(workout, weaker_side=Profile.objects.get(user=member).weaker_side).slots
    print(json.dumps({"slots": len(slots)}), flush=True)
    sys.stdin.readline()

    client = Client(raise_request_exception=False)
    client.force_login(member)
    url = f"/me/sessions/{workout.pk}/sets/"
    answers = []
    for _ in range(2):
        for slot in slots:
            data = {"step": slot.step_id, "set_number": slot.set_number, "side": slot.side}
            minutes = (slot.target_seconds or 0) // 60
            if minutes:
                data["minutes"] = minutes
            else:
                data["reps"] = slot.target_reps
            response = client.post(url, data, headers={"HX-Request": "true"})
            answers.append(response.status_code)
            if response.status_code >= 500:  # What the member would have seen, for the report.
                print(response.content.decode()[:300].replace("\n", " "), file=sys.stderr)
    print(json.dumps({"answers": answers, "stored": SetLog.objects.count()}), flush=True)
"""


def _start(env, *args):
    return subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", SCRIPT, *args],
        env=env,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _tell(process, line="go"):
    process.stdin.write(line + "\n")
    process.stdin.flush()


@pytest.fixture
def sqlite_file_env(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "PYTEST_CURRENT_TEST"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'club.sqlite3'}",
        DJANGO_SETTINGS_MODULE="clubsite.settings",
        # As under `make run`: a 500 would show Django's traceback page.
        DEBUG="true",
        PYTHONPATH=str(ROOT),
    )
    return env


def test_sets_posted_while_the_worker_writes_are_all_stored(sqlite_file_env, tmp_path):
    stop = tmp_path / "stop"
    # The worker starts up while the poster makes the database.
    writer = _start(sqlite_file_env, "writer", str(stop))
    poster = _start(sqlite_file_env, "poster")
    try:
        prepared = poster.stdout.readline()
        assert prepared, poster.communicate(timeout=60)[1][-3000:]
        assert json.loads(prepared)["slots"] >= 15
        _tell(writer)
        # The sets go in only once the worker is writing.
        assert writer.stdout.readline().strip() == "ready"
        _tell(poster)
        out, errors = poster.communicate(timeout=300)
        still_writing = writer.poll() is None
    finally:
        stop.touch()
        poster.kill()
        # A writer still waiting to start starts, sees the stop and ends.
        worker_out, worker_err = writer.communicate(input="go\n", timeout=60)
    assert poster.returncode == 0, errors[-3000:]
    posted = json.loads(out.strip().splitlines()[-1])
    worker = json.loads(worker_out.strip().splitlines()[-1])

    assert still_writing, "the worker stopped before the sets were posted"
    assert worker["writes"] > 0, worker_err
    # The worker's own writes wait their turn too.
    assert worker["locked"] == 0
    answers = posted["answers"]
    assert [code for code in answers if code >= 500] == [], errors[-3000:]
    assert set(answers) == {200}
    assert len(answers) == 2 * json.loads(prepared)["slots"]
    assert posted["stored"] == json.loads(prepared)["slots"]

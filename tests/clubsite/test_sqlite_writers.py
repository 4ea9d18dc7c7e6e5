"""The default SQLite set-up (``make run``: no DATABASE_URL) has two writers,
the web server and the task worker. A set posted while the worker writes must
be stored and answered, never a 500 "database is locked".

The test's own database is in memory and shared by one process, so this runs
the real settings in subprocesses against a SQLite file: one prepares it (a
member with a workout started), one writes in short transactions as the
worker does, and one posts every set of the session through the real view."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, sys, time
import django
django.setup()
from django.db import OperationalError, transaction
from django.core.cache import cache

mode = sys.argv[1]
if mode == "prepare":
    from django.core.management import call_command
    from django.contrib.auth.hashers import make_password
    from members.models import Profile, SetLog
    from members.logbook.plan import build_plan
    from tests.factories import TrainerFactory, UserFactory
    from tests.members.logger_helpers import started_workout

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    trainer = TrainerFactory(email="makana@example.com", display_name="Makana")
    member = UserFactory(email="alex@example.com", display_name="Alex Rivera")
    workout = started_workout(member, trainer)
    plan = build_plan(workout, profile=Profile.objects.get(user=member))
    slots = [
        {"step": s.step_id, "set_number": s.set_number, "side": s.side,
         "minutes": (s.target_seconds or 0) // 60 or None, "reps": s.target_reps}
        for s in plan.slots
    ]
    print(json.dumps({"member": member.pk, "workout": workout.pk, "slots": slots}))
elif mode == "writer":
    # The worker's shape: read, then write, in one short transaction, again and
    # again. Its own failures are counted, not fatal: the question is the web's.
    stop, deadline = sys.argv[2], time.monotonic() + 120
    import os
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
    print(json.dumps({"writes": writes, "locked": locked}), flush=True)
elif mode == "poster":
    from django.test import Client
    from members.models import User

    prepared = json.loads(sys.argv[2])
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(pk=prepared["member"]))
    url = f"/me/sessions/{prepared['workout']}/sets/"
    answers = []
    for slot in prepared["slots"]:
        data = {"step": slot["step"], "set_number": slot["set_number"], "side": slot["side"]}
        if slot["minutes"]:
            data["minutes"] = slot["minutes"]
        else:
            data["reps"] = slot["reps"]
        response = client.post(url, data, headers={"HX-Request": "true"})
        answers.append(response.status_code)
        if response.status_code >= 500:  # What the member would have seen, for the report.
            print(response.content.decode()[:300].replace("\n", " "), file=sys.stderr)
    print(json.dumps(answers))
elif mode == "count":
    from members.models import SetLog
    print(SetLog.objects.count())
"""


def _run(env, *args, **kwargs):
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", SCRIPT, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        **kwargs,
    )


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
    prepared = json.loads(_run(sqlite_file_env, "prepare").stdout.strip().splitlines()[-1])
    assert len(prepared["slots"]) >= 15

    stop = tmp_path / "stop"
    writer = subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", SCRIPT, "writer", str(stop)],
        env=sqlite_file_env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The sets go in only once the worker is writing.
        assert writer.stdout.readline().strip() == "ready"
        # Twice through the session: new sets, then the same sets edited.
        answers, errors = [], ""
        for _ in range(2):
            posted = _run(sqlite_file_env, "poster", json.dumps(prepared))
            answers += json.loads(posted.stdout.strip().splitlines()[-1])
            errors += posted.stderr[-3000:]
        still_writing = writer.poll() is None
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    worker = json.loads(out.strip().splitlines()[-1])

    assert still_writing, "the worker stopped before the sets were posted"
    assert worker["writes"] > 0, err
    # The worker's own writes wait their turn too.
    assert worker["locked"] == 0
    assert [code for code in answers if code >= 500] == [], errors
    assert set(answers) == {200}
    stored = int(_run(sqlite_file_env, "count").stdout.strip().splitlines()[-1])
    assert stored == len(prepared["slots"])

"""Soak: many members log sets at once for a while, through the real pages,
with the retries of flaky phone networks; then every set the server
acknowledged is looked for in the database.

    make soak                           # 50 members for 60 s
    make soak SOAK_ARGS=--short         # 8 members for 5 s (CI)

Makes a PostgreSQL database for the run (``groundup_soak`` on the server that
DATABASE_URL names, 127.0.0.1:5432 by default; dropped afterwards unless
--keep), generates a club and serves it under gunicorn with the production
settings on loopback. Each member signs in through the sign-in form from an
address of their own (behind one trusted proxy, as in production), then, until
the time is up: starts a session, answers the pain check, opens the logger and
logs each set with an htmx post, then finishes and starts another.

Phones lose answers. Some posts are sent again after their answer arrived (a
double tap); for some the connection is dropped before the answer is read, and
the same post is sent again until one is answered; some logged counts are
corrected with the row's Save button. The client records every set whose
answer was 2xx and showed the row logged with the count sent.

Afterwards it counts, from the database: acknowledged sets missing (or stored
with another count than the last one acknowledged), sets stored twice, and
server errors (5xx answers and connections refused or cut by the server).
Prints requests, requests/s, p50 and p95, writes them as JSON under
bench/results/, and exits 1 if any of those counts is not zero.
"""

import argparse
import collections
import dataclasses
import os
import pathlib
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.web import Site, Visitor, free_port, save_results, serve  # noqa: E402

PASSWORD = "ground-up-club"  # noqa: S105 - the generated club's, on a throwaway database.
DOMAIN = "club.example.com"
SOAK_DB = "groundup_soak"

# What a phone's network does to some set posts.
RESEND = 0.08  # the same post again once it was answered (a double tap, a slow answer)
DROP = 0.05  # the answer never arrives: the post is sent again until one is answered
EDIT = 0.05  # the count corrected after logging, with the row's Save button
# A 5xx page showing any of these gives away internals.
INTERNALS = re.compile(
    r"Traceback|File &quot;|File \"|psycopg|OperationalError|InterfaceError|django\.db"
    r"|site-packages|Exception Value|SELECT |settings\.py",
)


# -- what the clients saw -----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SetPost:
    """One try at logging a set: which set, the count sent (reps, or seconds
    for a timed step) and whether the answer showed it logged."""

    workout: int
    step: int
    set_number: int
    side: str
    amount: int
    acknowledged: bool

    @property
    def key(self) -> tuple:
        return (self.workout, self.step, self.set_number, self.side)


@dataclasses.dataclass
class Comparison:
    acknowledged: int  # sets with at least one acknowledged post
    stored: int  # rows in the database for the workouts posted to
    missing: int  # acknowledged, not stored
    stale: int  # stored, but not with the count last acknowledged (nor one sent after it)
    doubled: int  # rows beyond the first for one set
    unsent: int  # rows for a set never posted

    @property
    def failures(self) -> int:
        return self.missing + self.stale + self.doubled + self.unsent


def compare(posts, stored) -> Comparison:
    """What the clients were told against what the database holds.

    ``posts`` are SetPosts in the order each member sent them; ``stored`` is
    (workout, step, set number, side, amount) per row. A set's count may be
    any sent in its last acknowledged post or after it (a later try whose answer
    was lost may still have been stored)."""
    by_key = collections.defaultdict(list)
    for post in posts:
        by_key[post.key].append(post)
    rows = collections.defaultdict(list)
    for workout, step, set_number, side, amount in stored:
        rows[(workout, step, set_number, side)].append(amount)
    acknowledged = missing = stale = 0
    for key, tries in by_key.items():
        last = max((i for i, post in enumerate(tries) if post.acknowledged), default=None)
        if last is None:
            continue
        acknowledged += 1
        if key not in rows:
            missing += 1
        elif not set(rows[key]) & {post.amount for post in tries[last:]}:
            stale += 1
    return Comparison(
        acknowledged=acknowledged,
        stored=sum(len(amounts) for amounts in rows.values()),
        missing=missing,
        stale=stale,
        doubled=sum(len(amounts) - 1 for amounts in rows.values()),
        unsent=sum(len(amounts) for key, amounts in rows.items() if key not in by_key),
    )


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@dataclasses.dataclass
class Tally:
    """One member's requests, or all of them merged."""

    requests: int = 0
    latencies: list = dataclasses.field(default_factory=list)
    statuses: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    socket_errors: int = 0
    internals: int = 0  # 5xx answers that show a traceback, SQL or module names
    dropped: int = 0  # answers dropped on purpose, as a phone loses them
    retries: int = 0
    # (sent, answered, status) per request, 0 for a failed connection: the
    # drills' outage and recovery times.
    timeline: list = dataclasses.field(default_factory=list)
    # The first 5xx page and htmx answer, to show what members saw.
    samples: dict = dataclasses.field(default_factory=dict)
    posts: list = dataclasses.field(default_factory=list)
    workouts: set = dataclasses.field(default_factory=set)
    problems: list = dataclasses.field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500) + self.socket_errors

    @property
    def refused(self) -> int:
        """4xx answers: none are expected from these members' own pages."""
        return sum(n for status, n in self.statuses.items() if 400 <= status < 500)

    def note(self, problem: str) -> None:
        if len(self.problems) < 5:
            self.problems.append(problem)

    def merge(self, other: "Tally") -> None:
        self.requests += other.requests
        self.latencies += other.latencies
        self.statuses.update(other.statuses)
        for name in ("socket_errors", "internals", "dropped", "retries"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.timeline += other.timeline
        for kind, text in other.samples.items():
            self.samples.setdefault(kind, text)
        self.posts += other.posts
        self.workouts |= other.workouts
        self.problems += other.problems[: max(0, 10 - len(self.problems))]


# -- a member on a phone -----------------------------------------------------------

SET_ROW = re.compile(
    r'<form [^>]*id="set-(?P<key>[^"]+)"\s+class="set-row(?P<state>[^"]*)"[^>]*>'
    r"(?P<body>.*?)</form>",
    re.S,
)
HIDDEN = re.compile(r'name="(step|set_number|side)" value="([^"]*)"')
# A timed row shows minutes and seconds ("7:00"); the soak logs whole minutes.
AMOUNT = re.compile(r'name="(reps|minutes)" value="(\d+)(?::\d{2})?"')


@dataclasses.dataclass(frozen=True)
class Row:
    """A set row of the logger page, as its form would post it."""

    key: str
    step: int
    set_number: int
    side: str
    field: str  # reps or minutes
    prefill: int
    logged: bool


def set_rows(page: str) -> list[Row]:
    rows = []
    for match in SET_ROW.finditer(page):
        if "is-stopped" in match["state"]:
            continue
        amount = AMOUNT.search(match["body"])
        if amount is None:
            continue  # the extra set's row, asking which side is weaker
        hidden = dict(HIDDEN.findall(match["body"]))
        field, prefill = amount.groups()
        rows.append(
            Row(
                key=match["key"],
                step=int(hidden["step"]),
                set_number=int(hidden["set_number"]),
                side=hidden["side"],
                field=field,
                prefill=int(prefill),
                logged="is-logged" in match["state"],
            )
        )
    return rows


def shows_logged(text: str, row: Row, amount: int) -> bool:
    """The answer shows the row logged with the count sent."""
    found = next((r for r in set_rows(text) if r.key == row.key), None)
    return found is not None and found.logged and found.prefill == amount


class Member:
    """One member on their phone: signs in, then logs sessions until told to stop."""

    def __init__(self, site: Site, number: int, *, seed: int, patience: float = 60):
        self.site, self.number = site, number
        self.rng = random.Random(seed * 1000 + number)
        # Their own address behind the proxy: allauth's limits are per address.
        self.address = f"10.{number // 250}.{number % 250}.{1 + number % 200}"
        self.tally = Tally()
        self.visitor: Visitor | None = None
        self.patience = patience  # seconds a member keeps trying one thing

    def sign_in(self) -> None:
        deadline = time.monotonic() + self.patience
        while self.visitor is None:
            try:
                self.visitor = Visitor(
                    self.site,
                    f"member{self.number}@{DOMAIN}",
                    PASSWORD,
                    headers={"X-Forwarded-For": self.address},
                )
            except (OSError, SystemExit, AttributeError) as error:
                if time.monotonic() > deadline:
                    raise SystemExit(f"member{self.number} could not sign in: {error}") from None
                time.sleep(1)

    def run(self, until: float, stop: threading.Event) -> None:
        """Sessions, one after another, until ``until`` (or ``stop``)."""
        try:
            while time.monotonic() < until and not stop.is_set():
                opened = self.open_session()
                if opened is None:
                    continue
                workout, rows = opened
                self.tally.workouts.add(workout)
                for row in rows:
                    if time.monotonic() >= until or stop.is_set():
                        return
                    if not row.logged:
                        self._log(workout, row)
                # “Any pain during it?”: None, one tap per exercise, as Finish asks.
                for step in dict.fromkeys(row.step for row in rows):
                    self._until_ok(
                        "POST", f"/me/sessions/{workout}/steps/{step}/pain/", {"level": "0"}
                    )
                self._until_ok(
                    "POST", f"/me/sessions/{workout}/finish/", {"feeling": "about_right"}
                )
        except Exception as error:
            self.tally.socket_errors += 1
            self.tally.note(f"member{self.number} stopped: {error!r}")

    def _signed_in(self) -> Visitor:
        if self.visitor is None:
            raise RuntimeError("The member has not signed in yet (sign_in first).")
        return self.visitor

    # Requests, counted.

    def call(self, method: str, path: str, form: dict | None = None, **headers):
        """One request; None when the connection failed."""
        started = time.monotonic()
        try:
            if method == "GET":
                answer = self._signed_in().get(path, **headers)
            else:
                answer = self._signed_in().post(path, form or {}, **headers)
        except OSError as error:
            self.tally.socket_errors += 1
            self.tally.timeline.append((started, time.monotonic(), 0))
            self.tally.note(f"{method} {path}: {error!r}")
            return None
        answered = time.monotonic()
        self.tally.requests += 1
        self.tally.latencies.append(answered - started)
        self.tally.statuses[answer.status] += 1
        self.tally.timeline.append((started, answered, answer.status))
        if answer.status >= 500:
            kind = f"{answer.status} {'htmx' if headers.get('HX-Request') else 'page'}"
            self.tally.samples.setdefault(kind, answer.text)
            if INTERNALS.search(answer.text):
                self.tally.internals += 1
                self.tally.note(f"{method} {path}: {answer.status}, showing internals")
        if answer.status >= 400:
            self.tally.note(f"{method} {path}: {answer.status}")
        return answer

    def drop(self, path: str, form: dict) -> None:
        """Send the post and hang up before the answer, as a phone losing signal."""
        raw = self._signed_in().raw("POST", path, form, **{"HX-Request": "true"})
        try:
            with socket.create_connection(("127.0.0.1", self.site.port), timeout=10) as link:
                link.sendall(raw.encode())
                time.sleep(self.rng.uniform(0, 0.05))
        except OSError:
            pass  # lost on the way out: the same as lost on the way back
        self.tally.dropped += 1

    def _until_ok(self, method: str, path: str, form: dict | None = None):
        """Tap again (after a pause) until an answer that is not an error, as a
        member does after the logger's retry note."""
        deadline = time.monotonic() + self.patience
        tries = 0
        while True:
            if tries:
                self.tally.retries += 1
            answer = self.call(method, path, form)
            tries += 1
            if answer is not None and answer.status < 400:
                return answer
            if time.monotonic() > deadline:
                raise RuntimeError(f"{method} {path} failed for {self.patience:.0f} s")
            time.sleep(min(2.0, 0.25 * tries))

    def open_session(self):
        """Start (or go back to) today's session, past the pain check: its
        workout and set rows."""
        answer = self._until_ok("POST", "/me/sessions/start/")
        match = re.fullmatch(r"/me/sessions/(\d+)/", answer.location)
        if answer.status != 302 or match is None:
            raise RuntimeError(f"starting a session went to {answer.location!r}")
        workout = int(match.group(1))
        page = self._until_ok("GET", answer.location)
        if f'action="/me/sessions/{workout}/pain-check/"' in page.text:
            self._until_ok("POST", f"/me/sessions/{workout}/pain-check/", {"level": "0"})
            page = self._until_ok("GET", answer.location)
        return workout, set_rows(page.text)

    def _log(self, workout: int, row: Row) -> None:
        if row.field == "minutes":
            amount = self.rng.randint(1, row.prefill + 2)
        else:
            amount = self.rng.randint(max(0, row.prefill - 5), row.prefill + 5)
        if self._post_set(workout, row, amount, edit=False) and self.rng.random() < EDIT:
            self._post_set(workout, row, amount + 1, edit=True)

    def _post_set(self, workout: int, row: Row, amount: int, *, edit: bool) -> bool:
        path = f"/me/sessions/{workout}/sets/"
        form = {"step": row.step, "set_number": row.set_number, "side": row.side}
        form[row.field] = amount
        if edit:
            form["edit"] = "1"
        stored = amount * 60 if row.field == "minutes" else amount

        def record(acknowledged: bool) -> None:
            self.tally.posts.append(
                SetPost(workout, row.step, row.set_number, row.side, stored, acknowledged)
            )

        deadline = time.monotonic() + self.patience
        tries = 0
        if self.rng.random() < DROP:
            self.drop(path, form)
            record(False)
            tries += 1
            time.sleep(self.rng.uniform(0.3, 1.0))  # the phone gives up waiting
        while True:
            if tries:
                self.tally.retries += 1
            answer = self.call("POST", path, form, **{"HX-Request": "true"})
            tries += 1
            ok = (
                answer is not None
                and 200 <= answer.status < 300
                and shows_logged(answer.text, row, amount)
            )
            record(ok)
            if ok:
                break
            if answer is not None and 200 <= answer.status < 300:
                self.tally.note(f"POST {path} {form}: answered without the set logged")
            if time.monotonic() > deadline:
                return False
            time.sleep(min(2.0, 0.25 * tries))
        if self.rng.random() < RESEND:
            self.tally.retries += 1
            answer = self.call("POST", path, form, **{"HX-Request": "true"})
            record(
                answer is not None
                and 200 <= answer.status < 300
                and shows_logged(answer.text, row, amount)
            )
        return True


def sign_in_all(site: Site, count: int, *, seed: int, patience: float = 60) -> list[Member]:
    """Every member signed in, a few at a time (hashing passwords is the slow part)."""
    members = [Member(site, n, seed=seed, patience=patience) for n in range(1, count + 1)]
    failures = []

    def sign_in(member):
        try:
            member.sign_in()
        except SystemExit as error:
            failures.append(str(error))

    threads = []
    for member in members:
        thread = threading.Thread(target=sign_in, args=(member,))
        thread.start()
        threads.append(thread)
        if len(threads) % 4 == 0:
            threads[-4].join()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit("; ".join(failures[:3]))
    return members


def run_members(members: list[Member], seconds: float, stop: threading.Event | None = None):
    """Every member logging at once for ``seconds``; their tallies merged."""
    stop = stop or threading.Event()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=member.run, args=(until, stop), daemon=True) for member in members
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Tally()
    for member in members:
        total.merge(member.tally)
    return total


def stored_sets(workouts) -> list[tuple]:
    """(workout, step, set number, side, amount) for every row of these workouts."""
    from members.models import SetLog

    rows = SetLog.objects.filter(workout_id__in=list(workouts)).values_list(
        "workout_id", "step_id", "set_number", "side", "reps", "seconds"
    )
    return [
        (workout, step, number, side, reps if reps is not None else seconds)
        for workout, step, number, side, reps, seconds in rows
    ]


# -- the database and the site -----------------------------------------------------


def admin_connection(server_url: str):
    import psycopg

    parts = urllib.parse.urlsplit(server_url)
    maintenance = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://")
    return psycopg.connect(maintenance, autocommit=True)


def create_database(server_url: str, name: str) -> str:
    with admin_connection(server_url) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    return urllib.parse.urlsplit(server_url)._replace(path=f"/{name}").geturl()


def drop_database(server_url: str, name: str) -> None:
    from django.db import connections

    connections.close_all()
    with admin_connection(server_url) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def site_environment(database_url: str, port: int) -> None:
    """The production settings, on loopback, behind one trusted proxy (so each
    member's X-Forwarded-For is their own address)."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "clubsite.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "TRUSTED_PROXY_COUNT": "1",
            "LOG_LEVEL": "WARNING",
        }
    )


def manage(*command: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def prepare(members: int) -> str:
    """Migrate, static files and a generated club; Django set up in this process."""
    manage("migrate", "--noinput", "-v0")
    manage("createcachetable")
    manage("collectstatic", "--noinput", "-v0")
    generated = manage("generate_club", "--force", "--members", str(members), "--seed", "1")
    import django

    django.setup()
    return generated


def stop_server(server) -> None:
    if server is not None and server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# -- the run ------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--short", action="store_true", help="8 members for 5 s (CI)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if args.short:
        args.members, args.seconds = 8, 5

    server_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    port = free_port()
    site_environment(create_database(server_url, SOAK_DB), port)
    work = pathlib.Path(tempfile.mkdtemp(prefix="ground-up-soak-"))
    server = None
    try:
        print(f"Preparing {SOAK_DB}: migrate, static files, a club of {args.members}", flush=True)
        print(f"  {prepare(args.members)}", flush=True)
        server = serve(port=port, workers=args.workers, log=work / "gunicorn.log")
        print(f"gunicorn: {args.workers} workers on 127.0.0.1:{port}", flush=True)
        started = time.monotonic()
        members = sign_in_all(Site(port), args.members, seed=args.seed)
        print(
            f"{args.members} members signed in ({time.monotonic() - started:.1f} s); "
            f"logging for {args.seconds:g} s…",
            flush=True,
        )
        tally = run_members(members, args.seconds)
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped: see {work / 'gunicorn.log'}")
        comparison = compare(tally.posts, stored_sets(tally.workouts))
    finally:
        stop_server(server)
        if not args.keep:
            drop_database(server_url, SOAK_DB)
    shutil.rmtree(work)
    return report(args, tally, comparison)


def report(args, tally: Tally, comparison: Comparison) -> int:
    rate = tally.requests / args.seconds
    rows = [
        ("members", args.members),
        ("seconds", f"{args.seconds:g}"),
        ("requests", tally.requests),
        ("requests/s", f"{rate:.0f}"),
        ("p50 ms", f"{1000 * percentile(tally.latencies, 0.50):.0f}"),
        ("p95 ms", f"{1000 * percentile(tally.latencies, 0.95):.0f}"),
        ("sets acknowledged", comparison.acknowledged),
        ("sets stored", comparison.stored),
        ("retries sent", tally.retries),
        ("  of them after a dropped answer", tally.dropped),
        ("server errors (5xx, sockets)", tally.server_errors),
        ("refused (4xx)", tally.refused),
        ("missing", comparison.missing),
        ("stored with another count", comparison.stale),
        ("doubled", comparison.doubled),
        ("stored but never sent", comparison.unsent),
    ]
    print()
    for name, value in rows:
        print(f"{name:34}{value:>10}")
    save_results(
        f"soak-{args.members}",
        {
            "run": {"members": args.members, "seconds": args.seconds, "workers": args.workers},
            "requests": tally.requests,
            "rate": rate,
            "p50_ms": 1000 * percentile(tally.latencies, 0.50),
            "p95_ms": 1000 * percentile(tally.latencies, 0.95),
            "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
            "retries": tally.retries,
            "dropped": tally.dropped,
            "socket_errors": tally.socket_errors,
            **dataclasses.asdict(comparison),
        },
    )
    failed = tally.server_errors + tally.refused + comparison.failures
    for problem in tally.problems:
        print(f"  {problem}")
    if not comparison.acknowledged:
        print("FAILED: no set was acknowledged.")
        return 1
    print("\nOK: every acknowledged set stored once." if not failed else "\nFAILED.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

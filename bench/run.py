"""Measure Ground Up's key endpoints against the fastest answer Django can give
on the same server, in the same run.

    make bench                          # 1,000 members, 15 s per endpoint
    make bench BENCH_ARGS=--tiny        # 20 members, 2 s per endpoint (CI)

Makes a PostgreSQL database for the run (``groundup_bench`` on the server that
DATABASE_URL names, 127.0.0.1:5432 by default), migrates it and generates a
club. Serves the site under gunicorn with the production settings (DEBUG off,
one worker per core) on loopback, plus a ceiling view: a plain HttpResponse
through the same middleware. Members and the head trainer sign in through the
real sign-in form. wrk (bench/wrk.lua) then drives each endpoint for a fixed
time after a warm-up; each log-a-set post is a new set, with its CSRF token.

Prints requests/s, p50 and p95 latency, each rate's ratio to the ceiling's and
the queries per request, and writes them as JSON under bench/results/. Exits
non-zero when any endpoint answered anything but 2xx; speed is reported, never
asserted.
"""

import argparse
import datetime as dt
import json
import os
import pathlib
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.web import Site, Visitor, free_port, save_results, serve  # noqa: E402

PYTHON = sys.executable
PASSWORD = "ground-up-club"  # noqa: S105 - the generated club's, on a throwaway database.
DOMAIN = "club.example.com"
BENCH_DB = "groundup_bench"

# The targets, as fractions of the ceiling's rate (reported, not asserted).
TARGETS = {
    "log a set (htmx POST)": 0.50,
    "Today": 0.40,
    "logger page": 0.40,
    "routine guide": 0.40,
    "trainer dashboard": 0.15,
}
P95_LIMIT = 10  # every endpoint's p95 under this many times the ceiling's


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=15, help="measured time per endpoint")
    parser.add_argument("--warmup", type=float, default=3, help="warm-up per endpoint")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--connections", type=int, default=0, help="default: 2 per worker")
    parser.add_argument("--loggers", type=int, default=20, help="members posting sets")
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument("--tiny", action="store_true", help="20 members, 2 s per endpoint")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if args.tiny:
        args.members, args.seconds, args.warmup, args.loggers = 20, 2, 1, 5
    args.connections = args.connections or 2 * args.workers
    args.loggers = min(args.loggers, args.members)

    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("make bench needs wrk: apt-get install wrk (Debian's package).")

    server_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    database_url = _create_database(server_url)
    port = args.port or free_port()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "LOG_LEVEL": "WARNING",
        }
    )
    work = pathlib.Path(tempfile.mkdtemp(prefix="ground-up-bench-"))
    server = None
    try:
        generated = _prepare(args)
        server = serve(
            port=port, workers=args.workers, threads=args.threads, log=work / "gunicorn.log"
        )
        print(f"gunicorn: {args.workers} workers on 127.0.0.1:{port}", flush=True)
        base = Site(port)
        endpoints = _endpoints(args, base)
        results: dict[str, dict] = {}
        for endpoint in endpoints:
            if isinstance(endpoint, LogASet):
                endpoint.size(ceiling_rate=next(iter(results.values()))["rate"])
            results[endpoint.name] = _measure(args, wrk, base, endpoint, work)
            if isinstance(endpoint, LogASet):
                endpoint.clean_up()
            row = results[endpoint.name]
            print(
                f"  {endpoint.name}: {row['rate']:.0f} req/s, p95 {row['p95_ms']:.1f} ms, "
                f"{row['queries']} queries",
                flush=True,
            )
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped: see {work / 'gunicorn.log'}")
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        if not args.keep:
            _drop_database(server_url)
    shutil.rmtree(work)  # only gunicorn's log, kept above when the run broke
    return _report(args, generated, results)


# -- the database and the site -------------------------------------------------


def _admin_connection(server_url: str):
    import psycopg

    parts = urllib.parse.urlsplit(server_url)
    maintenance = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://")
    return psycopg.connect(maintenance, autocommit=True)


def _create_database(server_url: str) -> str:
    with _admin_connection(server_url) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {BENCH_DB}")
    return urllib.parse.urlsplit(server_url)._replace(path=f"/{BENCH_DB}").geturl()


def _drop_database(server_url: str) -> None:
    from django.db import connections

    connections.close_all()
    with _admin_connection(server_url) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def _manage(*command: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [PYTHON, "manage.py", *command], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def _prepare(args) -> str:
    print(f"Preparing {BENCH_DB}: migrate, static files, a club of {args.members}", flush=True)
    _manage("migrate", "--noinput", "-v0")
    _manage("createcachetable")
    _manage("collectstatic", "--noinput", "-v0")
    generated = _manage("generate_club", "--force", "--members", str(args.members), "--seed", "1")
    print(f"  {generated}", flush=True)
    # Planner statistics, as autovacuum would have them on a database that grew.
    _manage("dbshell", "--", "-c", "ANALYZE")
    import django

    django.setup()
    return generated


# -- the endpoints ---------------------------------------------------------------


class Endpoint:
    # For a POST endpoint: the posts left out of wrk's run, to count queries with.
    counted: list[tuple[Visitor, str, dict]]

    def __init__(self, name, visitor, path, *, warmup=None, measured=None, method="GET"):
        self.name, self.visitor, self.path, self.method = name, visitor, path, method
        # Raw requests for wrk; a GET endpoint repeats one.
        self.warmup = warmup or [visitor.raw("GET", path)]
        self.measured = measured or self.warmup

    def count_queries(self) -> int:
        """Queries for one more request, through Django's test client with the
        visitor's own session."""
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        visitor, form = self.visitor, None
        if self.method == "POST":
            visitor, self.path, form = self.counted.pop()
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies.load(visitor.cookies)
        with CaptureQueriesContext(connection) as queries:
            if form is not None:
                response = client.post(self.path, form, HTTP_HX_REQUEST="true")
            else:
                response = client.get(self.path)
        assert 200 <= response.status_code < 300, (self.name, response.status_code)
        return len(queries)


def _endpoints(args, site: Site) -> list[Endpoint]:
    from members.models import User
    from routines.seed import ROUTINE_SLUG

    head = Visitor(site, f"head@{DOMAIN}", PASSWORD)
    loggers = [Visitor(site, f"member{n}@{DOMAIN}", PASSWORD) for n in range(1, args.loggers + 1)]
    member = loggers[0]
    workouts = [_start_workout(visitor) for visitor in loggers]
    detail = User.objects.get(email=f"member{args.members}@{DOMAIN}")

    ceiling = Endpoint("ceiling (plain HttpResponse)", member, "/bench/ceiling/")
    endpoints = [
        ceiling,
        Endpoint("Today", member, "/me/"),
        Endpoint("logger page", member, f"/me/sessions/{workouts[0]}/"),
        LogASet(args, loggers, workouts),  # sized once the ceiling's rate is known
        Endpoint("routine guide", member, f"/routines/{ROUTINE_SLUG}/"),
        Endpoint(f"trainer dashboard ({args.members} members)", head, "/trainer/"),
        Endpoint("member detail", head, f"/trainer/members/{detail.pk}/"),
    ]
    return endpoints


def _start_workout(visitor: Visitor) -> int:
    """Start today's session and answer the pain check, as on the phone."""
    answer = visitor.post("/me/sessions/start/", {})
    match = re.fullmatch(r"/me/sessions/(\d+)/", answer.location)
    if answer.status != 302 or match is None:
        raise SystemExit(f"Starting a session failed: {answer.status} {answer.location}")
    workout = int(match.group(1))
    visitor.post(f"/me/sessions/{workout}/pain-check/", {"level": "0"})
    return workout


class LogASet(Endpoint):
    """htmx posts, each logging a set not logged before: the members' own
    sessions first, then further sessions of theirs made for the run."""

    def __init__(self, args, loggers, workouts):
        self.args, self.loggers, self.workouts = args, loggers, workouts
        self.name, self.visitor, self.method = "log a set (htmx POST)", loggers[0], "POST"
        self.warmup = self.measured = None

    def size(self, *, ceiling_rate: float) -> None:
        # Never faster than the ceiling: that many posts, and a quarter more.
        needed = int(ceiling_rate * (self.args.seconds + self.args.warmup) * 1.25) + 100
        # Two more for counting queries, outside wrk.
        posts = _set_posts(self.loggers, self.workouts, needed + 2)
        self.counted = [posts.pop(), posts.pop()]
        raws = [
            visitor.raw("POST", path, form, **{"HX-Request": "true"})
            for visitor, path, form in posts
        ]
        split = int(len(raws) * self.args.warmup / (self.args.seconds + self.args.warmup))
        self.warmup, self.measured = raws[:split], raws[split:]

    def clean_up(self) -> None:
        """Remove the sessions made for the run (thousands, for a few members,
        all today), so the trainer's pages after it see the club as generated
        plus the sessions the members started themselves."""
        from django.db import connection
        from django.utils import timezone

        from members.models import Workout

        Workout.objects.filter(
            member__in=Workout.objects.filter(pk__in=self.workouts).values("member"),
            planned_session=None,
            date=timezone.localdate(),
        ).exclude(pk__in=self.workouts).delete()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _set_posts(loggers, workouts, needed: int) -> list[tuple]:
    """(visitor, path, form) for `needed` sets never logged, round the members."""
    from django.utils import timezone

    from members.logbook.plan import build_plan
    from members.models import Profile, Workout

    per_member = {}
    for visitor, pk in zip(loggers, workouts, strict=True):
        workout = Workout.objects.get(pk=pk)
        profile = Profile.objects.get(user_id=workout.member_id)
        slots = [s for s in build_plan(workout, profile=profile).slots if not s.is_extra]
        per_member[pk] = (visitor, workout, slots)
    # Members differ (a weaker side adds sets): size by the shortest session.
    per_workout = min(len(slots) for _, _, slots in per_member.values())
    rounds = -(-needed // (per_workout * len(loggers)))
    # Further sessions, begun and past the pain check, like the first.
    extra = Workout.objects.bulk_create(
        Workout(
            member_id=workout.member_id,
            routine_id=workout.routine_id,
            date=timezone.localdate(),
            started_at=timezone.now() - dt.timedelta(minutes=1),
            prescription=workout.prescription,
            pain_before=0,
        )
        for _ in range(rounds - 1)
        for _, workout, _ in per_member.values()
    )
    by_member = {}
    for visitor, workout, slots in per_member.values():
        by_member[workout.member_id] = [(visitor, workout.pk, slots)]
    for workout in extra:
        visitor, _, slots = by_member[workout.member_id][0]
        by_member[workout.member_id].append((visitor, workout.pk, slots))
    posts = []
    longest = max(len(slots) for _, _, slots in per_member.values())
    for turn in range(rounds):
        for index in range(longest):
            for sessions in by_member.values():
                visitor, pk, slots = sessions[turn]
                if index >= len(slots):
                    continue
                slot = slots[index]
                form = {"step": slot.step_id, "set_number": slot.set_number, "side": slot.side}
                if slot.target_seconds is not None:  # timed
                    form["minutes"] = max(1, slot.target_seconds // 60)
                else:
                    form["reps"] = slot.target_reps
                posts.append((visitor, f"/me/sessions/{pk}/sets/", form))
    return posts[:needed]


# -- load -------------------------------------------------------------------------


def _wrk(args, wrk, site, requests: list[str], seconds: float, work: pathlib.Path) -> dict:
    data = work / "requests.lua"
    data.write_text(
        "return {\n" + "".join(f"{_lua_string(raw)},\n" for raw in requests) + "}\n",
        encoding="ascii",
    )
    done = subprocess.run(  # noqa: S603 - wrk, found on PATH
        [
            wrk,
            "--threads",
            "1",
            "--connections",
            str(args.connections),
            "--duration",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "--script",
            str(ROOT / "bench" / "wrk.lua"),
            f"http://127.0.0.1:{site.port}/",
            "--",
            str(data),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH "))
    return json.loads(line.removeprefix("BENCH "))


def _lua_string(text: str) -> str:
    """A quoted Lua string (a long bracket would turn CRLF into LF)."""
    for plain, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\r", "\\r"), ("\n", "\\n")):
        text = text.replace(plain, escaped)
    return f'"{text}"'


def _measure(args, wrk, site, endpoint: Endpoint, work: pathlib.Path) -> dict:
    endpoint.count_queries()  # the first request of this process fills its caches
    queries = endpoint.count_queries()
    warm = _wrk(args, wrk, site, endpoint.warmup, args.warmup, work)
    run = _wrk(args, wrk, site, endpoint.measured, args.seconds, work)
    rate = run["requests"] / run["seconds"]
    return {
        "method": endpoint.method,
        "path": endpoint.path,
        "rate": rate,
        "p50_ms": run["p50_ms"],
        "p95_ms": run["p95_ms"],
        "queries": queries,
        "requests": run["requests"] + warm["requests"],
        "non_2xx": run["non_2xx"] + warm["non_2xx"],
        "first_bad_status": run["first_bad_status"] or warm["first_bad_status"],
        "socket_errors": run["socket_errors"] + warm["socket_errors"],
        "repeated_posts": run["repeats"] if endpoint.method == "POST" else 0,
        "bytes_per_response": run["bytes"] // max(1, run["requests"]),
    }


# -- the report -------------------------------------------------------------------


def _report(args, generated: str, results: dict) -> int:
    names = list(results)
    ceiling = results[names[0]]
    print()
    print(
        f"{args.members} members; gunicorn {args.workers} workers, wrk {args.connections} "
        f"connections, {args.seconds:g} s per endpoint after {args.warmup:g} s of warm-up"
    )
    header = (
        f"{'endpoint':34} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>7} {'queries':>8}"
    )
    print(header)
    print("-" * len(header))
    failures = []
    for name, row in results.items():
        row["ratio"] = row["rate"] / ceiling["rate"]
        row["p95_vs_ceiling"] = row["p95_ms"] / ceiling["p95_ms"] if ceiling["p95_ms"] else None
        target = next((t for key, t in TARGETS.items() if name.startswith(key)), None)
        row["target_ratio"] = target
        mark = ""
        if target is not None:
            mark = "  ok" if row["ratio"] >= target else f"  below {target:.0%}"
        if row["p95_vs_ceiling"] and row["p95_vs_ceiling"] >= P95_LIMIT:
            mark += f"  p95 over {P95_LIMIT}x ceiling"
        print(
            f"{name:34} {row['rate']:>8.0f} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
            f"{row['ratio']:>6.0%} {row['queries']:>8}{mark}"
        )
        if row["non_2xx"] or row["socket_errors"]:
            failures.append(
                f"{name}: {row['non_2xx']} answers not 2xx (first {row['first_bad_status']}), "
                f"{row['socket_errors']} socket errors"
            )
        if row["repeated_posts"]:
            failures.append(f"{name}: ran out of new sets ({row['repeated_posts']} passes)")
    run = {
        key: getattr(args, key)
        for key in ("members", "seconds", "warmup", "workers", "threads", "connections")
    }
    save_results(f"bench-{args.members}", {"run": run, "club": generated, "endpoints": results})
    for failure in failures:
        print(f"FAILED {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

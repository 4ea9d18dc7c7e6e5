"""Measure Ground Up's key endpoints against the cheapest page a signed-in
member can get, on the same server, in the same run.

    make bench                          # 1,000 members, 15 s per endpoint
    make bench BENCH_ARGS=--tiny        # 20 members, 2 s per endpoint (CI)
    make bench BENCH_ARGS=--profile     # in-process: where each endpoint's time goes
    make bench BENCH_ARGS="--only log"  # one endpoint (by its name's start) and the floor
    python -m bench.run --tiny          # the same, from the repository's root

Makes a PostgreSQL database for the run (``groundup_bench`` on the server that
DATABASE_URL names, 127.0.0.1:5432 by default), migrates it and generates a
club. Serves the site under gunicorn with the production settings (DEBUG off,
one worker per core) on loopback, plus two yardsticks (bench/urls.py): the
floor, the site's layout rendered for a signed-in member, and the ceiling, a
plain HttpResponse, both through the same middleware. Members and trainers
sign in through the real sign-in form. wrk (bench/wrk.lua) then drives each
endpoint for a fixed time after a warm-up; each log-a-set post is a new set,
with its CSRF token, once as a bare htmx post and once, by other members,
with the Idempotency-Key the phone's page puts on every logger post. A
CHECKPOINT before each endpoint keeps PostgreSQL's own, every five minutes,
from falling into one endpoint's run at random (``support.checkpoint``).

Prints requests/s, p50 and p95 latency, each endpoint's time (the floor's rate
over its own) and p95 as multiples of the floor's, its target, the rate's
share of the ceiling's and the queries per request, and writes them as JSON
under bench/results/.

With --profile, the same requests go through Django's WSGI handler in this
process instead (bench/profile.py), and each endpoint's median time is split
into SQL, templates and the rest.

With --redis URL, the site runs as it does where REDIS_URL is set: the cache
in Redis, and sessions read from it (a database of its own, emptied first:
redis://127.0.0.1:6379/14, say). Run with and without to compare.

Exits non-zero when any endpoint answered anything but 2xx; speed is
reported, never asserted.
"""

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys

from bench import support

BENCH_DB = "groundup_bench"

FLOOR = "floor (the layout, signed in)"
# The targets, as multiples of the floor's time (reported, not asserted), by
# the start of an endpoint's name.
TARGETS = {
    "Today": 2.5,
    "logger page": 2.5,
    "routine guide": 2.5,
    "Program": 2.5,
    "log a set": 2.0,  # with and without the phone's Idempotency-Key
    "History": 3.0,
    "trainer dashboard": 6.0,
    "head trainer dashboard": 25.0,
    "member page (trainer)": 5.0,
}
QUERY_TARGETS = {"log a set": 6}


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
    parser.add_argument(
        "--profile", action="store_true", help="in-process: time in SQL, templates and Python"
    )
    parser.add_argument("--count", type=int, default=200, help="--profile: requests measured")
    parser.add_argument(
        "--redis", metavar="URL", default="", help="REDIS_URL for the site (emptied first)"
    )
    parser.add_argument(
        "--only",
        metavar="NAME",
        default="",
        help="only the endpoints whose name starts with NAME, beside the ceiling and the floor",
    )
    args = parser.parse_args()
    if args.tiny:
        args.members, args.seconds, args.warmup, args.loggers = 20, 2, 1, 5
    args.connections = args.connections or 2 * args.workers
    args.loggers = min(args.loggers, args.members)

    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("make bench needs wrk: apt-get install wrk (Debian's package).")

    port = args.port or support.free_port()
    with (
        support.database(support.server_url(), BENCH_DB, keep=args.keep) as url,
        support.work_folder("ground-up-bench-") as work,  # gunicorn's log, kept when the run broke
    ):
        support.site_environment(url, port, settings="bench.settings", proxies=0)
        if args.redis:
            os.environ["REDIS_URL"] = args.redis
            support.empty_redis(args.redis)
        print(f"Preparing {BENCH_DB}: migrate, static files, a club of {args.members}", flush=True)
        generated = support.prepare(args.members, analyze=True)
        print(f"  {generated}", flush=True)
        from bench import endpoints  # the models load only once Django is set up

        with support.served(
            port=port, workers=args.workers, threads=args.threads, work=work
        ) as server:
            print(f"gunicorn: {args.workers} workers on 127.0.0.1:{port}", flush=True)
            base = support.Site(port)
            results: dict[str, dict] = {}
            if args.profile:
                from bench.profile import Profiler

                profiler, warmup = Profiler(), max(5, args.count // 10)
            for endpoint in endpoints.build(args, base):
                # The ceiling and the floor always: the others are measured against them.
                if not endpoint.name.startswith(("ceiling", FLOOR, args.only)):
                    continue
                if isinstance(endpoint, endpoints.LogASet):
                    if args.profile:
                        endpoint.size(requests=args.count + warmup)
                    else:
                        # Never faster than the ceiling: that many posts, and a quarter more.
                        ceiling = next(iter(results.values()))["rate"]
                        endpoint.size(
                            requests=int(ceiling * (args.seconds + args.warmup) * 1.25) + 100
                        )
                if not support.checkpoint() and not results:  # said once, at the first
                    print("  (no CHECKPOINT between endpoints: the database's user may not)")
                if args.profile:
                    row = {"method": endpoint.method, "path": endpoint.path}
                    requests = endpoint.warmup + endpoint.measured
                    row |= profiler.measure(requests, count=args.count, warmup=warmup)
                    if endpoint.method == "GET":
                        # The same page rendered, as after a write: what a kept page saves.
                        again = profiler.measure(
                            requests, count=args.count, warmup=0, rendered=True
                        )
                        row["rendered_ms"], row["rendered_queries"] = again["ms"], again["queries"]
                    print(
                        f"  {endpoint.name}: {row['ms']:.1f} ms, {row['queries']} queries",
                        flush=True,
                    )
                else:
                    row = _measure(args, wrk, base, endpoint, work)
                    print(
                        f"  {endpoint.name}: {row['rate']:.0f} req/s, "
                        f"p95 {row['p95_ms']:.1f} ms, {row['queries']} queries",
                        flush=True,
                    )
                if isinstance(endpoint, endpoints.LogASet):
                    endpoint.clean_up()
                results[endpoint.name] = row
            support.still_serving(server, work)
    if args.profile:
        return _report_profile(args, generated, results)
    return _report(args, generated, results)


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
            str(support.ROOT / "bench" / "wrk.lua"),
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


def _measure(args, wrk, site, endpoint, work: pathlib.Path) -> dict:
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


def _target_mark(name: str, row: dict, multiple: float) -> str:
    """The endpoint's targets (stored in ``row``) and whether it meets them."""
    target = next((t for key, t in TARGETS.items() if name.startswith(key)), None)
    query_target = next((t for key, t in QUERY_TARGETS.items() if name.startswith(key)), None)
    row["target_x_floor"], row["target_queries"] = target, query_target
    marks = []
    if target is not None:
        row["meets_target"] = multiple <= target
        marks.append(f"<= {target:g}x " + ("ok" if row["meets_target"] else "MISSED"))
    if query_target is not None:
        met = row["queries"] <= query_target
        row["meets_target"] = row.get("meets_target", True) and met
        marks.append(f"<= {query_target} queries " + ("ok" if met else "MISSED"))
    return ", ".join(marks)


def _report(args, generated: str, results: dict) -> int:
    ceiling, floor = results[next(iter(results))], results[FLOOR]
    print()
    print(
        f"{args.members} members; gunicorn {args.workers} workers, wrk {args.connections} "
        f"connections, {args.seconds:g} s per endpoint after {args.warmup:g} s of warm-up; "
        + (f"cache and sessions in Redis ({args.redis})" if args.redis else "no Redis")
    )
    print("x floor: the floor's rate over the endpoint's (its time in floors); p95 likewise")
    header = (
        f"{'endpoint':38} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'x floor':>8} "
        f"{'p95 x':>6} {'ceiling':>8} {'queries':>8}  target"
    )
    support.print_header(header)
    failures = []
    for name, row in results.items():
        row["x_floor"] = floor["rate"] / row["rate"]
        row["p95_x_floor"] = row["p95_ms"] / floor["p95_ms"] if floor["p95_ms"] else None
        row["of_ceiling_rate"] = row["rate"] / ceiling["rate"]
        mark = _target_mark(name, row, row["x_floor"])
        p95 = f"{row['p95_x_floor']:.1f}" if row["p95_x_floor"] else "-"
        print(
            f"{name:38} {row['rate']:>7.0f} {row['p50_ms']:>7.1f} {row['p95_ms']:>7.1f} "
            f"{row['x_floor']:>8.2f} {p95:>6} {row['of_ceiling_rate']:>8.0%} "
            f"{row['queries']:>8}  {mark}"
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
        for key in ("members", "seconds", "warmup", "workers", "threads", "connections", "redis")
    }
    name = f"bench-{args.members}" + ("-redis" if args.redis else "")
    return _saved(name, run, generated, results, failures)


def _report_profile(args, generated: str, results: dict) -> int:
    floor = results[FLOOR]
    print()
    print(
        f"{args.members} members; in-process, median of {args.count} requests per endpoint; "
        "templates exclude the queries they ran"
    )
    print(
        "rendered: the page rendered each time, as after a write, not served as kept "
        "(clubsite/kept_pages.py): its ms, x floor and queries"
    )
    header = (
        f"{'endpoint':38} {'ms':>6} {'p95 ms':>7} {'x floor':>8} {'queries':>8} "
        f"{'SQL ms':>7} {'tmpl ms':>8} {'other ms':>9} {'rendered':>17}  target"
    )
    support.print_header(header)
    failures = []
    for name, row in results.items():
        row["x_floor"] = row["ms"] / floor["ms"]
        mark = _target_mark(name, row, row["x_floor"])
        rendered = "-"
        if "rendered_ms" in row:
            row["rendered_x_floor"] = row["rendered_ms"] / floor["ms"]
            rendered = (
                f"{row['rendered_ms']:.1f} {row['rendered_x_floor']:.1f}x "
                f"{row['rendered_queries']}q"
            )
        print(
            f"{name:38} {row['ms']:>6.1f} {row['p95_ms']:>7.1f} {row['x_floor']:>8.2f} "
            f"{row['queries']:>8} {row['sql_ms']:>7.1f} {row['templates_ms']:>8.1f} "
            f"{row['python_ms']:>9.1f} {rendered:>17}  {mark}"
        )
        if row["non_2xx"]:
            failures.append(f"{name}: {row['non_2xx']} answers not 2xx")
    run = {"members": args.members, "count": args.count, "redis": args.redis}
    name = f"profile-{args.members}" + ("-redis" if args.redis else "")
    return _saved(name, run, generated, results, failures)


def _saved(name: str, run: dict, generated: str, results: dict, failures: list[str]) -> int:
    """Write the run to bench/results/; the exit status: 1 when anything failed."""
    support.save_results(name, {"run": run, "club": generated, "endpoints": results})
    for failure in failures:
        print(f"FAILED {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

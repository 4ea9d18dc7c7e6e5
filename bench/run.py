"""Measure Ground Up's key endpoints against the fastest answer Django can give
on the same server, in the same run.

    make bench                          # 1,000 members, 15 s per endpoint
    make bench BENCH_ARGS=--tiny        # 20 members, 2 s per endpoint (CI)
    python -m bench.run --tiny          # the same, from the repository's root

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
import json
import os
import pathlib
import shutil
import subprocess
import sys

from bench import support

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

    port = args.port or support.free_port()
    with (
        support.database(support.server_url(), BENCH_DB, keep=args.keep) as url,
        support.work_folder("ground-up-bench-") as work,  # gunicorn's log, kept when the run broke
    ):
        support.site_environment(url, port, settings="bench.settings", proxies=0)
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
            for endpoint in endpoints.build(args, base):
                if isinstance(endpoint, endpoints.LogASet):
                    endpoint.size(ceiling_rate=next(iter(results.values()))["rate"])
                results[endpoint.name] = _measure(args, wrk, base, endpoint, work)
                if isinstance(endpoint, endpoints.LogASet):
                    endpoint.clean_up()
                row = results[endpoint.name]
                print(
                    f"  {endpoint.name}: {row['rate']:.0f} req/s, p95 {row['p95_ms']:.1f} ms, "
                    f"{row['queries']} queries",
                    flush=True,
                )
            support.still_serving(server, work)
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
    support.print_header(header)
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
    support.save_results(
        f"bench-{args.members}", {"run": run, "club": generated, "endpoints": results}
    )
    for failure in failures:
        print(f"FAILED {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

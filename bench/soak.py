"""Soak: many members log sets at once for a while, through the real pages,
with the retries of flaky phone networks; then every set the server
acknowledged is looked for in the database.

    make soak                           # 50 members for 60 s, tapping as fast as they can
    make soak SOAK_ARGS=--short         # 8 members for 5 s (CI)
    make soak SOAK_ARGS="--members 200 --pause 5"   # 200 members, a tap every 5 s or so
    python -m bench.soak --short        # the same, from the repository's root

Makes a PostgreSQL database for the run (``groundup_soak`` on the server that
DATABASE_URL names, 127.0.0.1:5432 by default; dropped afterwards unless
--keep), generates a club and serves it under gunicorn with the production
settings on loopback. Each member signs in through the sign-in form from an
address of their own (behind one trusted proxy, as in production), then, until
the time is up: starts a session, answers the pain check, opens the logger and
logs each set with an htmx post, then finishes and starts another.

A share of sessions (--offline, 0.3 by default) is logged as with no signal:
the phone's outbox keeps each set with a key of its own, sends the queue in
order when the signal returns, and then sends part of it again in another
order with the same keys; each replay must be answered from its key.

Phones lose answers. Some posts are sent again after their answer arrived (a
double tap); for some the connection is dropped before the answer is read, and
the same post is sent again until one is answered; some logged counts are
corrected with the row's Save button. The client records every set whose
answer was 2xx and showed the row logged with the count sent.

Afterwards it counts, from the database: acknowledged sets missing (or stored
with another count than the last one acknowledged), sets stored twice, and
server errors (5xx answers and connections refused or cut by the server).
With --pause, each member waits about that long (half to one and a half of
it) before each tap, as a member reading the screen does; without it they tap
again as soon as an answer is in, the most a club could ask of the server.

Prints requests, requests/s, p50 and p95, and p95 for each kind of tap
(start, open the logger, pain check, log a set, ...), writes them as JSON under
bench/results/, and exits 1 if any of those counts is not zero.
"""

import argparse
import dataclasses
import os
import sys
import time

from bench import support
from bench.phone import run_members, sign_in_all
from bench.tally import Comparison, Tally, compare, percentile

SOAK_DB = "groundup_soak"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--pause", type=float, default=0, help="seconds between a member's taps, on average"
    )
    parser.add_argument("--short", action="store_true", help="8 members for 5 s (CI)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--offline",
        type=float,
        default=0.3,
        help="share of sessions logged with no signal and sent from the phone's queue",
    )
    args = parser.parse_args()
    if args.short:
        args.members, args.seconds = 8, 5

    port = support.free_port()
    with (
        support.database(support.server_url(), SOAK_DB, keep=args.keep) as url,
        support.work_folder("ground-up-soak-") as work,
    ):
        support.site_environment(url, port)
        print(f"Preparing {SOAK_DB}: migrate, static files, a club of {args.members}", flush=True)
        print(f"  {support.prepare(args.members)}", flush=True)
        from bench.stored import stored_sets  # the models load only once Django is set up

        with support.served(port=port, workers=args.workers, work=work) as server:
            print(f"gunicorn: {args.workers} workers on 127.0.0.1:{port}", flush=True)
            started = time.monotonic()
            members = sign_in_all(
                support.Site(port),
                args.members,
                seed=args.seed,
                offline=args.offline,
                pause=args.pause,
            )
            print(
                f"{args.members} members signed in ({time.monotonic() - started:.1f} s); "
                f"logging for {args.seconds:g} s…",
                flush=True,
            )
            tally = run_members(members, args.seconds)
            support.still_serving(server, work)
            comparison = compare(tally.posts, stored_sets(tally.workouts))
    return report(args, tally, comparison)


def report(args, tally: Tally, comparison: Comparison) -> int:
    rate = tally.requests / args.seconds
    rows = [
        ("members", args.members),
        ("seconds", f"{args.seconds:g}"),
        ("pause between taps, s", f"{args.pause:g}"),
        ("requests", tally.requests),
        ("requests/s", f"{rate:.0f}"),
        ("p50 ms", f"{1000 * percentile(tally.latencies, 0.50):.0f}"),
        ("p95 ms", f"{1000 * percentile(tally.latencies, 0.95):.0f}"),
        *(
            (f"  p95 ms, {tap}", f"{1000 * percentile(seconds, 0.95):.0f}")
            for tap, seconds in sorted(tally.taps.items())
        ),
        ("sets acknowledged", comparison.acknowledged),
        ("sets stored", comparison.stored),
        ("retries sent", tally.retries),
        ("  of them after a dropped answer", tally.dropped),
        ("sets logged offline, then sent", tally.offline_sets),
        ("  queue sent again, reordered", tally.replays),
        ("  of it done again (must be 0)", tally.replays_done_again),
        ("server errors (5xx, sockets)", tally.server_errors),
        ("refused (4xx)", tally.refused),
        *comparison.lost(),
        ("stored but never sent", comparison.unsent),
    ]
    support.print_rows(rows, width=34, value_width=10)
    support.save_results(
        f"soak-{args.members}",
        {
            "run": {
                "members": args.members,
                "seconds": args.seconds,
                "workers": args.workers,
                "pause": args.pause,
            },
            "requests": tally.requests,
            "rate": rate,
            "p50_ms": 1000 * percentile(tally.latencies, 0.50),
            "p95_ms": 1000 * percentile(tally.latencies, 0.95),
            "p95_ms_by_tap": {
                tap: 1000 * percentile(seconds, 0.95) for tap, seconds in tally.taps.items()
            },
            "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
            "retries": tally.retries,
            "offline": {
                "share": args.offline,
                "sets": tally.offline_sets,
                "replays": tally.replays,
                "replays_done_again": tally.replays_done_again,
            },
            "dropped": tally.dropped,
            "socket_errors": tally.socket_errors,
            **dataclasses.asdict(comparison),
        },
    )
    failed = tally.server_errors + tally.refused + comparison.failures + tally.replays_done_again
    for problem in tally.problems:
        print(f"  {problem}")
    if not comparison.acknowledged:
        print("FAILED: no set was acknowledged.")
        return 1
    print("\nOK: every acknowledged set stored once." if not failed else "\nFAILED.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Drill: PostgreSQL restarted in the middle of a soak.

    python -m bench.drill_restart            # 20 members for 40 s, 10 s without the database
    python -m bench.drill_restart --short    # 6 members for 14 s, 4 s without it (CI)

Makes a private PostgreSQL cluster (the installed server binaries, a temporary
folder, a free loopback port), so the drill can stop and start its server,
and removes it afterwards. Serves the site from it under gunicorn with the
production settings, and members log sets as in the soak (bench/soak.py).
A third of the way in the server is stopped (``pg_ctl -m immediate``: as a
crash, every transaction in flight cut off), and started again after the
outage; nothing else is done to the site. After the load, it is restarted
once more while the site is idle, and each member opens two pages: the
connections pooled from before the restart must not fail them.

Counts: answers during the outage that show internals (a traceback, SQL,
module names) and connections cut (both must be 0), clean outage answers,
how long after the database came back the site answered again, acknowledged
sets missing or stored twice, half-written workouts (a set stored without
the knob settings written with it, a finished workout whose completeness
disagrees with its sets, pain before the session without its flag) and
errors after the idle restart. Exit status 1 if any of those is not zero.
"""

import argparse
import sys
import threading
import time

from django.db import connections

from bench import support
from bench.cluster import Cluster
from bench.phone import run_members, sign_in_all
from bench.tally import compare

DRILL_DB = "groundup_restart_drill"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--outage", type=float, default=10, help="seconds without the database")
    parser.add_argument("--mode", choices=["immediate", "fast"], default="immediate")
    parser.add_argument("--short", action="store_true", help="6 members, 14 s, a 4 s outage")
    args = parser.parse_args()
    if args.short:
        args.members, args.seconds, args.outage = 6, 14, 4

    cluster = Cluster()
    try:
        with support.work_folder("ground-up-drill-") as work:
            cluster.create()
            print(f"Private PostgreSQL ({cluster.bin.parent.name}) on 127.0.0.1:{cluster.port}")
            port = support.free_port()
            support.site_environment(support.create_database(cluster.url, DRILL_DB), port)
            print(f"  {support.prepare(args.members)}", flush=True)
            from bench import stored  # the models load only once Django is set up

            with support.served(port=port, workers=2, work=work) as server:
                members = sign_in_all(support.Site(port), args.members, seed=1)
                print(
                    f"{args.members} members signed in; logging for {args.seconds:g} s",
                    flush=True,
                )
                tally, down, up = outage(args, cluster, members)
                support.still_serving(server, work)
                comparison = compare(tally.posts, stored.stored_sets(tally.workouts))
                broken = stored.half_written(tally.workouts)
                idle = idle_restart(cluster, members)
    finally:
        connections.close_all()
        cluster.remove()
    return report(args, tally, comparison, broken, idle, down=down, up=up)


def outage(args, cluster: Cluster, members):
    """The members logging sets, and the database stopped a third of the way
    in for the outage's length: their tally, and when it went down and up."""
    result: dict[str, object] = {}
    load = threading.Thread(target=lambda: result.update(tally=run_members(members, args.seconds)))
    started = time.monotonic()
    load.start()
    time.sleep(args.seconds / 3)
    down = time.monotonic()
    cluster.stop(args.mode)
    print(f"  {down - started:4.1f} s  PostgreSQL STOPPED (-m {args.mode})", flush=True)
    time.sleep(args.outage)
    cluster.start()
    up = time.monotonic()
    print(f"  {up - started:4.1f} s  PostgreSQL STARTED again", flush=True)
    load.join()
    print(f"  {time.monotonic() - started:4.1f} s  members stopped", flush=True)
    return result["tally"], down, up


def idle_restart(cluster, members) -> int:
    """Restart the server while nobody asks anything, then have each member
    open two pages: connections the pool kept from before must not fail them."""
    cluster.stop("fast")
    cluster.start()
    print("  then, idle: PostgreSQL restarted; each member opens two pages", flush=True)
    errors = 0
    for member in members * 2:
        try:
            errors += member.visitor.get("/me/").status >= 500
        except OSError:
            errors += 1
    return errors


def outage_counts(timeline, *, down: float, up: float) -> dict:
    """From (sent, answered, status) per request: what members got from the
    moment the database stopped, and when the site answered again for good."""
    affected = [entry for entry in timeline if entry[1] >= down]
    failed = [entry for entry in affected if entry[2] == 0 or entry[2] >= 500]
    last_failure = max((entry[1] for entry in failed), default=down)
    after = [entry for entry in affected if entry[0] >= up and 0 < entry[2] < 500]
    first_ok = min((entry[1] for entry in after), default=None)
    during = [entry for entry in affected if entry[0] < (first_ok or float("inf"))]
    return {
        "longest wait for an answer while down, s": max(
            (entry[1] - entry[0] for entry in during), default=0.0
        ),
        "outage answers (5xx)": sum(1 for entry in failed if entry[2]),
        "connections cut": sum(1 for entry in failed if entry[2] == 0),
        "first answer after the restart, s": None if first_ok is None else first_ok - up,
        "last error after the restart, s": max(0.0, last_failure - up),
    }


def report(args, tally, comparison, broken: dict, idle: int, *, down: float, up: float) -> int:
    outage = outage_counts(tally.timeline, down=down, up=up)
    rows = [
        ("members", args.members),
        ("seconds", f"{args.seconds:g}"),
        ("database down, s", f"{up - down:.1f}"),
        ("requests", tally.requests),
        *((name, "-" if v is None else f"{v:.1f}") for name, v in outage.items() if "," in name),
        ("outage answers (5xx), all clean", outage["outage answers (5xx)"] - tally.internals),
        ("5xx answers showing internals", tally.internals),
        ("connections cut", tally.socket_errors),
        ("4xx answers", tally.refused),
        ("sets acknowledged", comparison.acknowledged),
        *comparison.lost(),
        *broken.items(),
        ("errors after a restart while idle", idle),
    ]
    support.print_rows(rows, width=40, value_width=8)
    for kind, text in sorted(tally.samples.items()):
        title = text.split("<title>", 1)[-1].split("</title>", 1)[0] if "<title>" in text else ""
        print(f"  a {kind} answer during the outage: {title or text[:80]!r}")
    for problem in tally.problems[:5]:
        print(f"  {problem}")
    recovered = outage["first answer after the restart, s"] is not None
    failed = (
        tally.internals
        + tally.socket_errors
        + tally.refused
        + comparison.failures
        + sum(broken.values())
        + idle
    )
    if not recovered:
        print("FAILED: the site never answered after the restart.")
        return 1
    print(
        "\nOK: clean answers while down, recovered alone, every set once."
        if not failed
        else "\nFAILED."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Fault drills: each breaks one part of the running site on purpose and
counts what members and trainers would have lost.

    make drills                         # every drill, full length (about 3 minutes)
    make drills DRILL_ARGS=--short      # every drill, short (CI: about a minute)
    python -m bench.drills kill mail    # some of them

restart  PostgreSQL restarted in the middle of a soak (a private cluster):
         clean answers while down, recovered alone, every set once
worker   the task worker stopped for a while, then started: every queued
         task runs once, every email arrives once
kill     a gunicorn worker killed mid-request: the member's retry stores the
         set once
mail     the mail server down while questions, pain alerts and reminders are
         sent: all kept, retried, delivered exactly once when it returns

Each drill runs in its own process with its own database, prints what it did
and a table of counts; this prints how each one ended and exits 1 if any
failed. The drills other than ``restart`` use the PostgreSQL server that
DATABASE_URL names (127.0.0.1:5432 by default).
"""

import argparse
import subprocess
import sys
import time

from bench.support import ROOT

DRILLS = {
    "restart": ["bench.drill_restart"],
    "worker": ["bench.drill_mail", "worker"],
    "kill": ["bench.drill_kill"],
    "mail": ["bench.drill_mail", "mail"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("drills", nargs="*", metavar="DRILL", help=", ".join(DRILLS))
    parser.add_argument("--short", action="store_true", help="a few seconds each (CI)")
    args = parser.parse_args()
    if unknown := set(args.drills) - set(DRILLS):
        parser.error(
            f"no drill named {', '.join(sorted(unknown))}; choose from {', '.join(DRILLS)}"
        )
    chosen = args.drills or list(DRILLS)

    results = {}
    for name in chosen:
        print(f"\n===== drill: {name} =====", flush=True)
        started = time.monotonic()
        command = [sys.executable, "-m", *DRILLS[name], *(["--short"] if args.short else [])]
        done = subprocess.run(command, cwd=ROOT, check=False)  # noqa: S603 - our own scripts
        results[name] = (done.returncode, time.monotonic() - started)

    print("\n===== drills =====")
    for name, (status, seconds) in results.items():
        print(f"{name:10}{'OK' if status == 0 else 'FAILED':>8}{seconds:>8.0f} s")
    return 1 if any(status for status, _ in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

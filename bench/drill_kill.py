"""Drill: a gunicorn worker killed in the middle of a member's log-a-set post.

    python -m bench.drill_kill          # the same with --short: it takes seconds

Makes its own PostgreSQL database (on the server DATABASE_URL names,
127.0.0.1:5432 by default; dropped afterwards) and serves the site under
gunicorn with two workers. A member signs in, starts a session and posts a set
with htmx, three times over, each time held at another point by a lock the
drill takes from its own connection:

1. before the write: the drill holds the workout's row lock, so the post
   waits in ``select_for_update``;
2. in the middle: the drill has inserted, uncommitted, the knob setting the
   post records after the set, so the post waits on that unique key with its
   set written but not committed;
3. while committing: the drill holds the knob's row lock, so the post's
   COMMIT waits on its deferred foreign-key check: the write lands, the answer
   never leaves.

Once PostgreSQL shows the post waiting, the drill finds the gunicorn worker
holding that connection (a child of the master, by its socket) and kills it
with SIGKILL, then lets go of its lock. The member's phone sees the connection
drop, and sends the same post again; the master has started a new worker.

Counts, each round: answers the phone got to the killed post (0); what it
left, all of its write or none (never the set without its knob setting); then
the retry: acknowledged, one row with the count sent, the knob setting beside
it. Exit status 1 if any is not as expected.
"""

import argparse
import sys

from bench import support
from bench.kill_watch import workers_of
from bench.phone import Member

DRILL_DB = "groundup_kill_drill"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the same drill (it is short)")
    parser.parse_args()

    port = support.free_port()
    with (
        support.database(support.server_url(), DRILL_DB) as url,
        support.work_folder("ground-up-drill-") as work,
    ):
        support.site_environment(url, port)
        support.prepare(2)
        from bench.kill_rounds import Rounds  # the models load only once Django is set up

        with support.served(port=port, workers=2, work=work) as server:
            print(f"gunicorn: master {server.pid}, workers {sorted(workers_of(server.pid))}")
            member = Member(support.Site(port), 1, seed=1)
            member.sign_in()
            workout, rows = member.open_session()
            rounds = Rounds(
                member=member, server=server, workout=workout, rows=rows, database=DRILL_DB
            )
            results = rounds.run()
    return report(results)


def report(results: dict) -> int:
    """One column per round; a count is 1 where the retry must have done its
    work, 0 where nothing must have happened."""
    must_be_zero = {"answers to the killed post", "half-written"}
    print()
    names = list(dict.fromkeys(name for counts in results.values() for name in counts))
    print(f"{'':30}" + "".join(f"{round_name:>28}" for round_name in results))
    failed = False
    for name in names:
        values = [counts.get(name, "-") for counts in results.values()]
        want = 0 if name in must_be_zero else 1
        failed |= any(isinstance(value, int) and value != want for value in values)
        print(f"{name:30}" + "".join(f"{value!s:>28}" for value in values))
    print("\nOK: each retry stored its set once." if not failed else "\nFAILED.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Two drills of the email outbox, with a real SMTP server (aiosmtpd on a
loopback port) and the real worker (``manage.py db_worker``) in its own process:

    python -m bench.drill_mail worker [--short]
    python -m bench.drill_mail mail [--short]

``worker``: the task worker stopped for a while, then started. The mail
server is up throughout. The worker is stopped (SIGTERM, as a deploy does)
just after a batch of questions, and while it is down members ask questions,
report pain through the logger pages (each report posted twice, as a phone
retries) and the scheduler queues session reminders and trainers' digests
(``send_nudges``, run twice). Nothing may arrive while the worker is down;
once it is started, every queued task must run once, and every email arrive
once.

``mail``: the mail server down while the same kinds of email are sent. The
worker tries each one and fails; then it is stopped too and more are sent;
then the mail server comes back, and the worker. Nothing is re-queued by
hand: the worker's own retries, one minute after a failed try, send what
failed (--short does not wait the minute: it moves the retries' time to
now, as if the minute had passed). Then ``requeue_emails`` and the worker
run once more, and the counts must not move.

Each makes its own PostgreSQL database (on the server DATABASE_URL names,
127.0.0.1:5432 by default; dropped afterwards), and exits 1 if any email is
missing or received twice, or any task did not run or ran twice.
"""

import argparse
import datetime as dt
import os
import sys
import warnings
import zoneinfo

import django
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

from bench.support import database, free_port, server_url

DRILL_DB = "ground_up_mail_drill"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("drill", choices=["mail", "worker"])
    parser.add_argument("--members", type=int, default=12)
    parser.add_argument("--visitors", type=int, default=8, help="visitors who ask (one each)")
    parser.add_argument("--in-pain", type=int, default=4, help="members who report pain")
    parser.add_argument("--pause", type=float, default=10, help="seconds the worker stays down")
    parser.add_argument("--timeout", type=int, default=240, help="seconds to wait for delivery")
    parser.add_argument("--short", action="store_true", help="fewer people, no waiting (CI)")
    args = parser.parse_args()
    if args.short:
        args.members, args.visitors, args.in_pain, args.pause = 6, 3, 2, 1
    args.questions = args.members + args.visitors

    smtp_port = free_port()
    club_zone = zoneinfo.ZoneInfo(os.environ.get("TIME_ZONE", "America/Los_Angeles"))
    with database(server_url(), DRILL_DB) as url:
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "clubsite.settings",
                "DEBUG": "false",
                "SECRET_KEY": os.environ.get("SECRET_KEY", "drill-only-" + "x" * 50),
                "ALLOWED_HOSTS": "testserver",
                "DATABASE_URL": url,
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(smtp_port),
                "SMTP_USE_TLS": "false",
                "LOG_LEVEL": "ERROR",
                # Today's reminders and digests are due from midnight, on the club's clock.
                "REMINDER_TIME": "00:00",
                "DIGEST_DAY": dt.datetime.now(club_zone).strftime("%A").lower(),
                "DIGEST_TIME": "00:00",
            }
        )
        set_up()
        from bench import mail_drills  # the models load only once Django is set up

        return mail_drills.run(args, smtp_port)


def set_up() -> None:
    """Django in this process, on the drill's database, migrated."""
    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # No collectstatic here.
    django.setup()
    # Hashed static names need collectstatic, which a drill has no use for.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


if __name__ == "__main__":
    sys.exit(main())

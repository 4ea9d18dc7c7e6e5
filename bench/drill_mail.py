"""Two drills of the email outbox, with a real SMTP server (aiosmtpd on a
loopback port) and the real worker (``manage.py db_worker``) in its own process:

    python bench/drill_mail.py worker [--short]
    python bench/drill_mail.py mail [--short]

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
import collections
import contextlib
import datetime as dt
import os
import pathlib
import re
import signal
import subprocess
import sys
import time
import warnings
import zoneinfo
from typing import TYPE_CHECKING

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.web import first_group, free_port  # noqa: E402

if TYPE_CHECKING:
    from aiosmtpd.controller import Controller

SERVER = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DRILL_DB = "ground_up_mail_drill"


def _database_url() -> str:
    base, _, _ = SERVER.rpartition("/")
    return f"{base}/{DRILL_DB}"


def _recreate_database(drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(SERVER.replace("postgres://", "postgresql://"), autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {DRILL_DB} WITH (FORCE)")
        if not drop_only:
            db.execute(f"CREATE DATABASE {DRILL_DB}")


class Inbox:
    """aiosmtpd handler: every message the mail server accepted, by recipient."""

    def __init__(self):
        self.received: collections.Counter[tuple[str, str]] = collections.Counter()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        from email import message_from_bytes

        subject = message_from_bytes(envelope.content)["Subject"]
        for address in envelope.rcpt_tos:
            self.received[(address, str(subject))] += 1
        return "250 OK"

    def by_address(self) -> collections.Counter:
        counts: collections.Counter[str] = collections.Counter()
        for (address, _), times in self.received.items():
            counts[address] += times
        return counts


class MailServer:
    """The SMTP server on its port, stopped and started by the drill."""

    def __init__(self, port: int, inbox: Inbox):
        self.port, self.inbox = port, inbox
        self.controller: Controller | None = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        controller.start()
        self.controller = controller

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class Worker:
    """``manage.py db_worker`` in its own process, polling every 0.2 s."""

    def __init__(self):
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own manage.py
            [
                *[sys.executable, "manage.py", "db_worker", "--interval", "0.2"],
                *["--no-startup-delay", "--no-reload", "--verbosity", "0"],
            ],
            cwd=ROOT,
        )

    def stop(self) -> None:
        """SIGTERM: the task in hand is finished, then the worker exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        self.process = None


class Club:
    """The drill's club: members who ask, members who report pain, members
    with a session today, and what they set off in the outbox."""

    def __init__(self, *, members: int, visitors: int, in_pain: int, timeout: float):
        from members.management.commands.generate_club import generate
        from members.models import User

        generate(members=members, trainers=2, seed=1)
        people = list(User.objects.filter(is_staff=False).order_by("pk"))
        self.askers = people
        self.in_pain = people[:in_pain]
        self.reminded = people[in_pain:]
        self.visitors = visitors
        self.asked = 0
        self.timeout = timeout
        self.reports = 0
        _sessions_today(self.reminded)

    def ask(self, count: int) -> int:
        """``count`` questions through the contact form, members first, then visitors."""
        from django.test import Client

        done = 0
        while done < count:
            n = self.asked + 1
            client = Client()
            sender = {}
            if n <= len(self.askers):
                client.force_login(self.askers[n - 1])
            elif n <= len(self.askers) + self.visitors:
                sender = {"name": f"Visitor {n}", "email": f"visitor{n}@drill.example.org"}
            else:
                break
            page = client.get("/contact/").content.decode()
            token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
            response = client.post(
                "/contact/",
                {
                    "subject": f"Drill question {n}",
                    "message": "Does this arrive once, whatever happens to the mail?",
                    "token": token,
                    **sender,
                },
                REMOTE_ADDR=f"198.51.100.{n}",
            )
            assert response.status_code == 302, response.status_code
            self.asked += 1
            done += 1
        return done

    def report_pain(self, members) -> int:
        """Each member starts today's session and reports pain on its first
        exercise through the logger's pages; the phone sends the report twice."""
        from django.test import Client

        for member in members:
            client = Client()
            client.force_login(member)
            started = client.post("/me/sessions/start/")
            page_url = started["Location"]
            workout = first_group(re.fullmatch(r"/me/sessions/(\d+)/", page_url))
            page = client.get(page_url).content.decode()
            if f"/me/sessions/{workout}/pain-check/" in page:
                client.post(f"/me/sessions/{workout}/pain-check/", {"level": "0"})
                page = client.get(page_url).content.decode()
            action = first_group(re.search(r'action="(/me/sessions/\d+/steps/\d+/pain/)"', page))
            for _ in range(2):
                response = client.post(
                    action,
                    {"level": "4", "note": "Sharp, inside the knee"},
                    HTTP_HX_REQUEST="true",
                )
                assert response.status_code == 200, response.status_code
            self.reports += 1
        return len(members)

    @staticmethod
    def queue_nudges() -> str:
        """The scheduler's run, twice over (cron runs overlap): queued once."""
        from django.core.management import call_command

        for _ in range(2):
            call_command("send_nudges", stdout=open(os.devnull, "w"))  # noqa: SIM115
        from members.models import EmailDelivery

        kinds = collections.Counter(
            EmailDelivery.objects.filter(kind__in=["reminder", "digest"]).values_list(
                "kind", flat=True
            )
        )
        return f"{kinds['reminder']} reminders, {kinds['digest']} digests"

    def wait_for(self, condition, what: str) -> None:
        deadline = time.monotonic() + self.timeout
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"Timed out waiting for {what}.")
            time.sleep(0.25)


def _sessions_today(members) -> None:
    """Each member has a planned session today (their next one moved to today
    if need be, as a trainer would), so today's reminders are due."""
    from django.utils import timezone

    from members.models import PlannedSession

    today = timezone.localdate()
    for member in members:
        mine = PlannedSession.objects.filter(
            assignment__member=member, workouts__isnull=True
        ).order_by("date")
        if mine.filter(date=today).exists():
            continue
        upcoming = mine.filter(date__gt=today).first()
        if upcoming is not None:
            upcoming.date = today
            upcoming.save(update_fields=["date"])


# -- counts ---------------------------------------------------------------------------


def counts(inbox: Inbox) -> dict:
    """Emails the outbox sent against what the mail server received, and the
    worker's tasks: each run once, each delivery sent by one of them."""
    from django_tasks_db.models import DBTaskResult

    from members.models import EmailDelivery

    deliveries = EmailDelivery.objects.all()
    expected = collections.Counter(
        deliveries.filter(state="sent").values_list("to_email", flat=True).order_by()
    )
    received = inbox.by_address()
    tasks = list(DBTaskResult.objects.all())
    sent_by = collections.Counter(
        task.args_kwargs["args"][0] for task in tasks if task.return_value == "sent"
    )
    sent_ids = set(deliveries.filter(state="sent").values_list("pk", flat=True))
    return {
        "kinds": collections.Counter(deliveries.values_list("kind", flat=True).order_by()),
        "emails queued": deliveries.count(),
        "sent": len(sent_ids),
        "skipped (no longer needed)": deliveries.filter(state="skipped").count(),
        "still queued or failed": deliveries.exclude(state__in=["sent", "skipped"]).count(),
        "emails received": sum(received.values()),
        "missing": sum((expected - received).values()),
        "received twice": sum((received - expected).values()),
        "tasks": len(tasks),
        "tasks not run": sum(task.status in {"READY", "RUNNING"} for task in tasks),
        "tasks failed": sum(task.status == "FAILED" for task in tasks),
        "tasks run twice": sum(len(task.worker_ids) > 1 for task in tasks),
        "deliveries sent by no task or two": sum(
            sent_by[pk] != 1 for pk in sent_ids | set(sent_by)
        ),
    }


MUST_BE_ZERO = [
    "still queued or failed",
    "missing",
    "received twice",
    "tasks not run",
    "tasks failed",
    "tasks run twice",
    "deliveries sent by no task or two",
]


def report(numbers: dict, extra: list[tuple[str, int]]) -> int:
    kinds = numbers.pop("kinds")
    print()
    print("emails queued by kind: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    for name, value in [*extra, *numbers.items()]:
        print(f"{name:36}{value:>6}")
    failed = [name for name in MUST_BE_ZERO if numbers[name]] + [
        name for name, value in extra if name.endswith("(0)") and value
    ]
    print("\nOK: every email delivered exactly once." if not failed else "\nFAILED.")
    return 1 if failed else 0


# -- the drills -----------------------------------------------------------------------


def worker_drill(args, club: Club, inbox: Inbox, mail: MailServer) -> int:
    worker = Worker()
    mail.start()
    print(f"Mail server UP on 127.0.0.1:{mail.port}; worker running.")
    worker.start()
    club.ask(args.questions // 2)
    worker.stop()
    print(f"  {args.questions // 2} questions sent; worker STOPPED (SIGTERM) straight after.")
    received_at_stop = sum(inbox.received.values())
    asked = club.ask(args.questions - args.questions // 2)
    reports = club.report_pain(club.in_pain)
    nudges = club.queue_nudges()
    print(
        f"  while stopped: {asked} questions, {reports} pain reports (each posted twice), "
        f"send_nudges twice ({nudges})"
    )
    time.sleep(args.pause)
    arrived_while_stopped = sum(inbox.received.values()) - received_at_stop
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(status="READY").count()
    print(
        f"  after {args.pause:g} s: {waiting} tasks wait; {arrived_while_stopped} emails arrived"
    )
    started = time.monotonic()
    worker.start()
    print("Worker STARTED.")
    from members.models import EmailDelivery

    try:
        club.wait_for(
            lambda: not EmailDelivery.objects.filter(state="queued").exists(),
            "every email to be sent",
        )
        print(f"  all sent {time.monotonic() - started:.1f} s after the worker started.")
        club.queue_nudges()  # the scheduler again: nothing new
        time.sleep(2)
    finally:
        worker.stop()
        mail.stop()
    return report(
        counts(inbox),
        [
            ("tasks waiting for the worker", waiting),
            ("emails arriving while stopped (0)", arrived_while_stopped),
        ],
    )


def mail_drill(args, club: Club, inbox: Inbox, mail: MailServer) -> int:
    from django.core.management import call_command
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult, get_date_max

    from members.models import EmailDelivery

    worker = Worker()
    started = time.monotonic()
    print(f"Mail server DOWN (nothing on 127.0.0.1:{mail.port}); worker running.")
    worker.start()
    first_pain, second_pain = (
        club.in_pain[: len(club.in_pain) // 2],
        club.in_pain[len(club.in_pain) // 2 :],
    )
    asked = club.ask(args.questions // 2)
    reports = club.report_pain(first_pain)
    nudges = club.queue_nudges()
    club.wait_for(
        lambda: not EmailDelivery.objects.filter(attempts=0).exists(),
        "the worker to try every email",
    )
    refused = EmailDelivery.objects.filter(state="queued", attempts__gte=1).count()
    print(
        f"  {asked} questions, {reports} pain reports, send_nudges ({nudges}); "
        f"{refused} emails tried and refused."
    )
    worker.stop()
    print("Worker STOPPED.")
    asked = club.ask(args.questions - args.questions // 2)
    reports = club.report_pain(second_pain)
    waiting = EmailDelivery.objects.filter(attempts=0).count()
    print(
        f"  {asked} questions, {reports} pain reports more; {waiting} emails wait for the worker."
    )

    mail.start()
    worker.start()
    if args.short:
        # As if the minute before the first retry had passed.
        moved = (
            DBTaskResult.objects.filter(status="READY", run_after__gt=timezone.now())
            .exclude(run_after=get_date_max())  # enqueued to run at once
            .update(run_after=timezone.now())
        )
        print(f"Mail server UP; worker STARTED. (--short: {moved} retries brought forward.)")
    else:
        print("Mail server UP; worker STARTED. Waiting for the worker's own retries…")
    try:
        club.wait_for(
            lambda: not EmailDelivery.objects.filter(state="queued").exists(),
            "every email to be sent",
        )
        print(f"  All sent {time.monotonic() - started:.0f} s after the first question.")
        # Once more, by hand: nothing already sent may go again.
        call_command("requeue_emails", stdout=open(os.devnull, "w"))  # noqa: SIM115
        time.sleep(2)
    finally:
        worker.stop()
        mail.stop()
    return report(counts(inbox), [("tries refused while down", refused)])


DRILLS = {"worker": worker_drill, "mail": mail_drill}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("drill", choices=sorted(DRILLS))
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
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "clubsite.settings",
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "drill-only-" + "x" * 50),
            "ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": _database_url(),
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
    _recreate_database()
    try:
        club = _setup(args)
        inbox = Inbox()
        return DRILLS[args.drill](args, club, inbox, MailServer(smtp_port, inbox))
    finally:
        from django.db import connections

        connections.close_all()
        _recreate_database(drop_only=True)


def _setup(args) -> Club:
    import django

    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # No collectstatic here.
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings

    # Hashed static names need collectstatic, which a drill has no use for.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    with contextlib.redirect_stdout(open(os.devnull, "w")):
        return Club(
            members=args.members,
            visitors=args.visitors,
            in_pain=args.in_pain,
            timeout=args.timeout,
        )


if __name__ == "__main__":
    sys.exit(main())

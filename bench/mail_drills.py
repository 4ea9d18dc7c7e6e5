"""The mail drills themselves: a club whose members ask questions, report pain
and are reminded, the worker and the mail server stopped and started around
them, and the counts of what arrived. Imported once Django is set up."""

import collections
import contextlib
import os
import time

from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from bench.mail_server import Inbox, MailServer, Worker
from bench.support import found
from members.management.commands.generate_club import generate
from members.models import EmailDelivery, PlannedSession, User


class Club:
    """The drill's club: members who ask, members who report pain, members
    with a session today, and what they set off in the outbox."""

    def __init__(self, *, members: int, visitors: int, in_pain: int, timeout: float):
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
        for member in members:
            client = Client()
            client.force_login(member)
            started = client.post("/me/sessions/start/")
            page_url = started["Location"]
            workout = found(r"^/me/sessions/(\d+)/$", page_url, "the start's redirect")
            page = client.get(page_url).content.decode()
            if f"/me/sessions/{workout}/pain-check/" in page:
                client.post(f"/me/sessions/{workout}/pain-check/", {"level": "0"})
                page = client.get(page_url).content.decode()
            action = found(r'action="(/me/sessions/\d+/steps/\d+/pain/)"', page, "the logger")
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
        for _ in range(2):
            call_command("send_nudges", stdout=open(os.devnull, "w"))  # noqa: SIM115
        kinds = collections.Counter(
            EmailDelivery.objects.filter(kind__in=["reminder", "digest"]).values_list(
                "kind", flat=True
            )
        )
        return f"{kinds['reminder']} reminders, {kinds['digest']} digests"

    def wait_until_sent(self) -> None:
        self.wait_for(
            lambda: not EmailDelivery.objects.filter(state="queued").exists(),
            "every email to be sent",
        )

    def wait_for(self, condition, what: str) -> None:
        deadline = time.monotonic() + self.timeout
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"Timed out waiting for {what}.")
            time.sleep(0.25)


def _sessions_today(members) -> None:
    """Each member has a planned session today (their next one moved to today
    if need be, as a trainer would), so today's reminders are due."""
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
    waiting = DBTaskResult.objects.filter(status="READY").count()
    print(
        f"  after {args.pause:g} s: {waiting} tasks wait; {arrived_while_stopped} emails arrived"
    )
    started = time.monotonic()
    worker.start()
    print("Worker STARTED.")
    try:
        club.wait_until_sent()
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
        club.wait_until_sent()
        print(f"  All sent {time.monotonic() - started:.0f} s after the first question.")
        # Once more, by hand: nothing already sent may go again.
        call_command("requeue_emails", stdout=open(os.devnull, "w"))  # noqa: SIM115
        time.sleep(2)
    finally:
        worker.stop()
        mail.stop()
    return report(counts(inbox), [("tries refused while down", refused)])


DRILLS = {"worker": worker_drill, "mail": mail_drill}


def run(args, smtp_port: int) -> int:
    """The drill ``args.drill`` on a club made for it."""
    with contextlib.redirect_stdout(open(os.devnull, "w")):
        club = Club(
            members=args.members,
            visitors=args.visitors,
            in_pain=args.in_pain,
            timeout=args.timeout,
        )
    inbox = Inbox()
    return DRILLS[args.drill](args, club, inbox, MailServer(smtp_port, inbox))

"""The mail-outage drill: questions sent while the mail server is down are kept,
retried, and each email is delivered exactly once when it is back.

    make drill-mail                     # PostgreSQL on 127.0.0.1:5432
    DATABASE_URL=postgres://user@host:5432/postgres make drill-mail

It makes its own database (dropped afterwards) and runs a real SMTP server
(aiosmtpd) on a loopback port and the real worker (``manage.py db_worker``) in
its own process:

1. The mail server is down. Questions are sent through the contact form (the
   whole middleware stack); the worker tries each email and fails.
2. The worker is stopped too, and more questions are sent: they wait.
3. The mail server comes back, then the worker. Nothing is re-queued by hand:
   the worker's own retries (after one minute) send what failed, and picks up
   what waited.
4. Counts: every email received exactly once, none missing, none twice. Then
   ``requeue_emails`` and the worker run once more, and the counts must not move.

Exit status 1 if any email is missing or doubled.
"""

import argparse
import collections
import os
import pathlib
import subprocess
import sys
import time
import warnings

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.web import free_port  # noqa: E402

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
        self.received = collections.Counter()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        from email import message_from_bytes

        subject = message_from_bytes(envelope.content)["Subject"]
        for address in envelope.rcpt_tos:
            self.received[(address, str(subject))] += 1
        return "250 OK"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=12, help="members who ask (one each)")
    parser.add_argument("--visitors", type=int, default=8, help="visitors who ask (one each)")
    parser.add_argument("--timeout", type=int, default=240, help="seconds to wait for delivery")
    args = parser.parse_args()

    smtp_port = free_port()
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
        }
    )
    _recreate_database()
    try:
        return _drill(args, smtp_port)
    finally:
        from django.db import connections

        connections.close_all()
        _recreate_database(drop_only=True)


def _drill(args, smtp_port: int) -> int:
    import django

    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # No collectstatic here.
    django.setup()
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from members.management.commands.generate_club import generate
    from members.models import EmailDelivery, Question, User

    # Hashed static names need collectstatic, which a drill has no use for.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    generate(members=args.members, trainers=2, seed=1)
    # The generated club has questions of its own, asked before the drill.
    asked_before = Question.objects.count()

    def worker() -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603 - our own manage.py
            [
                *[sys.executable, "manage.py", "db_worker", "--interval", "0.2"],
                *["--no-startup-delay", "--no-reload", "--verbosity", "0"],
            ],
            cwd=ROOT,
        )

    def ask(n: int, client: Client, **sender) -> None:
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

    def wait_for(condition, what: str) -> None:
        deadline = time.monotonic() + args.timeout
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"Timed out waiting for {what}.")
            time.sleep(0.5)

    members = list(User.objects.filter(is_staff=False).order_by("pk"))
    senders = [{"member": person} for person in members] + [
        {"name": f"Visitor {n}", "email": f"visitor{n}@drill.example.org"}
        for n in range(1, args.visitors + 1)
    ]
    first_half, second_half = senders[: len(senders) // 2], senders[len(senders) // 2 :]

    def send(batch, offset):
        for n, sender in enumerate(batch, start=offset + 1):
            client = Client()
            if "member" in sender:
                client.force_login(sender["member"])
                ask(n, client)
            else:
                ask(n, client, **sender)

    started = time.monotonic()
    print(f"Mail server DOWN (nothing on 127.0.0.1:{smtp_port}); worker running.")
    running = worker()
    send(first_half, 0)
    wait_for(
        lambda: not EmailDelivery.objects.filter(attempts=0).exists(),
        "the worker to try every email",
    )
    failed_tries = EmailDelivery.objects.filter(state="queued", attempts__gte=1).count()
    print(f"  {len(first_half)} questions sent; {failed_tries} emails tried and refused.")

    running.terminate()
    running.wait()
    print("Worker STOPPED.")
    send(second_half, len(first_half))
    waiting = EmailDelivery.objects.filter(attempts=0).count()
    print(f"  {len(second_half)} more questions sent; {waiting} emails wait for the worker.")

    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    server.start()
    print("Mail server UP; worker STARTED. Waiting for the worker's own retries…")
    running = worker()
    try:
        wait_for(
            lambda: not EmailDelivery.objects.exclude(state="sent").exists(),
            "every email to be sent",
        )
        print(f"  All sent {time.monotonic() - started:.0f} s after the first question.")
        # Once more, by hand: nothing already sent may go again.
        call_command("requeue_emails", stdout=open(os.devnull, "w"))  # noqa: SIM115
        time.sleep(3)
    finally:
        running.terminate()
        running.wait()
        server.stop()

    expected = collections.Counter(
        EmailDelivery.objects.values_list("to_email", flat=True).order_by()
    )
    received_by_address = collections.Counter()
    for (address, _), times in inbox.received.items():
        received_by_address[address] += times
    missing = sum((expected - received_by_address).values())
    doubled = sum(times - 1 for times in inbox.received.values() if times > 1)
    extra = sum((received_by_address - expected).values())
    questions = Question.objects.count() - asked_before
    print()
    print(f"{'questions asked and stored':32}{questions:>6}")
    print(f"{'emails queued (2 per question)':32}{sum(expected.values()):>6}")
    print(f"{'tries refused while down':32}{failed_tries:>6}")
    print(f"{'emails received':32}{sum(inbox.received.values()):>6}")
    print(f"{'missing':32}{missing:>6}")
    print(f"{'received twice':32}{doubled + extra:>6}")
    ok = questions == len(senders) and missing == 0 and doubled == 0 and extra == 0
    print("\nOK: every email delivered exactly once." if ok else "\nFAILED.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""The mail drills' moving parts: a real SMTP server (aiosmtpd) on a loopback
port that keeps what it accepted, and the real task worker
(``manage.py db_worker``) in a process of its own; the drills stop and start
both."""

import collections
import signal
import subprocess
import sys
from email import message_from_bytes

from aiosmtpd.controller import Controller

from bench.support import ROOT


class Inbox:
    """aiosmtpd handler: every message the mail server accepted, by recipient."""

    def __init__(self):
        self.received: collections.Counter[tuple[str, str]] = collections.Counter()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        subject = message_from_bytes(envelope.content)["Subject"]
        for address in envelope.rcpt_tos:
            self.received[(address, str(subject))] += 1
        return "250 OK"

    def by_address(self) -> collections.Counter[str]:
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

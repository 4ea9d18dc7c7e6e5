"""Mail servers that fail, for the delivery tests: set them in ``MAILERS``."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class DownBackend(LocmemBackend):
    """A mail server that refuses every connection."""

    def send_messages(self, messages):
        raise smtplib.SMTPConnectError(421, b"Service not available")


class RefusingBackend(LocmemBackend):
    """Delivers to the locmem outbox, but refuses the addresses in ``refused``."""

    refused: frozenset[str] = frozenset({"alex@example.com"})

    def send_messages(self, messages):
        for message in messages:
            if set(message.recipients()) & self.refused:
                raise smtplib.SMTPRecipientsRefused(
                    dict.fromkeys(self.refused, (550, b"Mailbox unavailable"))
                )
        return super().send_messages(messages)

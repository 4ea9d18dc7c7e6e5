"""What every email shares: one message from three templates, sending a batch
while someone waits, addresses and links back to the site, and whether a
person asked for a kind of email."""

import logging
import smtplib
from email.headerregistry import Address

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

logger = logging.getLogger(__name__)


def render_email(
    template: str,
    context: dict,
    *,
    to: list[str],
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """``<template>_subject.txt``, ``<template>.txt`` and ``<template>.html`` as one
    message. The text templates turn autoescaping off; the HTML one keeps it."""
    context = {"CLUB_NAME": settings.CLUB_NAME, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=to,
        reply_to=reply_to or [],
        headers=headers,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def send_all(messages: list[EmailMultiAlternatives]) -> bool:
    """Send over one connection; False (and a log line) when the mail server
    refuses, so the caller can say so instead of failing the request."""
    if not messages:
        return True
    try:
        with mail.mailers.default as connection:
            connection.send_messages(messages)
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not send %d email(s)", len(messages))
        return False
    return True


def address(name: str, email: str) -> str:
    """``Name <email>`` with the name quoted as the header needs it, on one
    line: a line break in a name would make the whole email unsendable."""
    return str(Address(display_name=" ".join(name.split()), addr_spec=email))


def link(name: str, *args, anchor: str = "") -> str:
    """An address on this site for the page where the reader acts; the worker
    has no request, so the host comes from ``SITE_URL``."""
    return settings.SITE_URL + reverse(name, args=args) + (f"#{anchor}" if anchor else "")


def wants(user, preference: str) -> bool:
    """Whether ``user`` asked for the emails their profile's ``preference``
    names; an account without a profile has the defaults: everything on."""
    profile = getattr(user, "profile", None)
    return profile is None or getattr(profile, preference)

"""Invitations: how a trainer brings a member in."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from members.models.access import trained_by
from members.models.fields import member_key

INVITATION_LIFETIME = dt.timedelta(days=14)
# A second identical post (a double tap, a retry on a slow network) comes
# within this long of the first: it is answered with what the first made (an
# invitation here; blocks in ``members.blocks.services.repeated_blocks``).
REPEAT_WINDOW = dt.timedelta(minutes=1)


def hash_token(token: str) -> str:
    """Only a digest of the link's secret is stored, so a copy of the database
    cannot be used to accept anyone's invitation."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh secret for a link, and its digest to store."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


class InvitationQuerySet(models.QuerySet):
    def for_trainer(self, user):
        """Invitations of the members ``user`` trains now (``trained_by``).
        Having sent one is history: once another trainer takes the member on
        (or invites them again), the first trainer can no longer resend it."""
        return self.filter(trained_by(user))

    def pending(self):
        return self.filter(accepted_at__isnull=True)


class Invitation(models.Model):
    """A link, sent by email, with which an invited member sets their password.

    Accepting verifies the address (the member proved they read it), and works
    once. Re-sending makes a new link and the old one stops working."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for the member"
        EXPIRED = "expired", "Link expired"
        ACCEPTED = "accepted", "Accepted"

    member = member_key("invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    send_count = models.PositiveSmallIntegerField("times sent", default=1)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self):
        return f"Invitation for {self.member}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if timezone.now() >= self.expires_at:
            return self.State.EXPIRED
        return self.State.PENDING

    @property
    def just_sent(self) -> bool:
        """Sent moments ago: a repeat of the post that sent it, not a new request."""
        return self.state == self.State.PENDING and timezone.now() - self.sent_at < REPEAT_WINDOW

    def get_state_display(self) -> str:
        return self.State(self.state).label

    def renew(self) -> str:
        """A new link that lives a full lifetime from now; returns its secret."""
        token, self.token_hash = new_token()
        now = timezone.now()
        self.sent_at = now
        self.expires_at = now + INVITATION_LIFETIME
        return token

"""What the logger answered to an action sent with a key the phone made, so the
same action sent again is answered again and not done twice
(``members.logbook.idempotency``)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

# Long enough for a phone that stayed offline over a week; after that a queued
# action sent again is done as a new one.
KEPT_FOR = dt.timedelta(days=14)


class ActionKeyQuerySet(models.QuerySet):
    def expired(self, *, now: dt.datetime | None = None):
        return self.filter(created_at__lt=(now or timezone.now()) - KEPT_FOR)


class ActionKey(models.Model):
    """One logger action of one member, by the key their phone gave it: where it
    was posted and the answer it got (a refusal included; never a server error)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="action_keys"
    )
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField(default=0)
    # Only the headers htmx and the phone act on (Content-Type, Location, HX-*,
    # X-Refusal-Reason), by name.
    headers = models.JSONField(default=dict)
    body = models.TextField(blank=True)
    # The page's CSP nonce, when the answer used one: a replay carries its own.
    nonce = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ActionKeyQuerySet.as_manager()

    class Meta:
        constraints = [
            # Keys are the member's own: the same token from another member is
            # another action. A twin sent at once waits here for the first.
            models.UniqueConstraint(fields=["user", "key"], name="one_answer_per_action_key"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key}): {self.status}"

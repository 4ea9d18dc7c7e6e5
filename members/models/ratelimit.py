"""Rate-limit counters for when the cache is the database cache."""

from django.db import models


class RateCount(models.Model):
    """How many uses one limit has counted in one window.

    Django's database cache cannot count atomically (its ``incr`` reads, then
    writes), so ``members.web.ratelimit`` keeps its counters here when Redis is not
    configured and adds to them with one ``INSERT ... ON CONFLICT DO UPDATE``.
    Rows of windows that have closed are deleted as new windows open."""

    key = models.CharField(max_length=250, primary_key=True)
    count = models.IntegerField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"

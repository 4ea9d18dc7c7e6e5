"""Where each block stands, as the trainer's dashboard lists it, kept so a
dashboard of a thousand members does not review a thousand blocks' history
on every load (``members.coaching.standings`` keeps it current)."""

from django.db import models

from members.models.blocks import Assignment


class BlockStanding(models.Model):
    """The plain review of one block (``members.blocks.review`` with the
    reasons of ``members.coaching.attention``), as the dashboard sorts, filters
    and shows it. ``fresh_until`` empty means it must be worked out again:
    each write about the member empties it and moves ``version`` on, and it
    lapses at the end of the day it was worked out on, when sessions turn
    missed, or when a waiting question turns a day old."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, primary_key=True, related_name="standing"
    )
    version = models.PositiveIntegerField(default=0)
    fresh_until = models.DateTimeField(null=True)
    # "Needs you": the reasons' sentences, in the rules' order, and since when
    # the oldest has waited; the worst open pain flag ranks above any wait.
    reasons = models.JSONField(default=list)
    needs_you = models.BooleanField(default=False)
    waiting_since = models.DateTimeField(null=True)
    pain_level = models.PositiveSmallIntegerField(null=True)
    pain_since = models.DateTimeField(null=True)
    open_pain_flags = models.PositiveSmallIntegerField(default=0)
    # The card: the block week today is in, sessions done of those due, the
    # last session's day, the last workout's, the daily-life change in words
    # and each knob's trend ("Tibialis raise: feet distance from wall 12 → 14 in").
    week = models.PositiveSmallIntegerField(default=1)
    done = models.PositiveSmallIntegerField(default=0)
    due = models.PositiveSmallIntegerField(default=0)
    # Sessions done of those due, as a percentage (never over 100); empty
    # while nothing is due.
    adherence = models.PositiveSmallIntegerField(null=True)
    end_date = models.DateField(null=True)
    finished = models.BooleanField(default=False)
    last_workout = models.DateField(null=True)
    has_baseline = models.BooleanField(default=False)
    change = models.TextField(blank=True)
    knobs = models.JSONField(default=list)

    def __str__(self):
        return f"Standing of {self.assignment_id}"

    @property
    def member(self):
        return self.assignment.member

    @property
    def has_pain(self) -> bool:
        return self.pain_level is not None

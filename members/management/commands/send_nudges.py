from django.core.management.base import BaseCommand

from members.coaching import standings
from members.logbook.idempotency import forget_old_keys
from members.models import Assignment
from members.models.actionkeys import KEPT_FOR
from members.nudges import services as nudges


class Command(BaseCommand):
    help = (
        "Queue the session reminders and trainers' weekly digests due now, on the "
        "club's clock, for the task worker to send. Run it every few minutes (cron, "
        "or the compose file's scheduler service): each nudge is queued once, however "
        "often, late or concurrently it runs. It also forgets the logger's action "
        "keys older than 14 days, and works out the dashboard's standings that "
        "lapsed (at midnight, all of them), so no trainer waits for that."
    )

    def handle(self, **options):
        queued = nudges.queue_due()
        if queued.reminders or queued.digests or options["verbosity"] > 1:
            self.stdout.write(
                f"Queued {queued.reminders} reminder(s) and {queued.digests} digest(s)."
            )
        worked_out = standings.refresh(Assignment.objects.current())
        if worked_out or options["verbosity"] > 1:
            self.stdout.write(f"Worked out {worked_out} block standing(s).")
        forgotten = forget_old_keys()
        if forgotten or options["verbosity"] > 1:
            self.stdout.write(f"Forgot {forgotten} action key(s) older than {KEPT_FOR.days} days.")

from django.core.management.base import BaseCommand

from members.nudges import services as nudges


class Command(BaseCommand):
    help = (
        "Queue the session reminders and trainers' weekly digests due now, on the "
        "club's clock, for the task worker to send. Run it every few minutes (cron, "
        "or the compose file's scheduler service): each nudge is queued once, however "
        "often, late or concurrently it runs."
    )

    def handle(self, **options):
        queued = nudges.queue_due()
        if queued.reminders or queued.digests or options["verbosity"] > 1:
            self.stdout.write(
                f"Queued {queued.reminders} reminder(s) and {queued.digests} digest(s)."
            )

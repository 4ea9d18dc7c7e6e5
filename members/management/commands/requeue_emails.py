from django.core.management.base import BaseCommand

from members.mail import outbox
from members.models import EmailDelivery


class Command(BaseCommand):
    help = (
        "Queue again the emails that failed after their last try, and those whose "
        "task was lost (queued, and past their time). Emails already sent are never "
        "sent twice. Run it once the mail server works again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--failed-only",
            action="store_true",
            help="Only the failed emails, not the stalled queued ones.",
        )

    def handle(self, *, failed_only: bool, **options):
        failed = EmailDelivery.objects.failed()
        stalled = EmailDelivery.objects.stalled(older_than=outbox.STALLED_AFTER)
        failed_count = outbox.requeue(failed)
        stalled_count = 0 if failed_only else outbox.requeue(stalled)
        self.stdout.write(
            f"Queued again: {failed_count} failed, {stalled_count} stalled "
            f"({EmailDelivery.objects.filter(state=EmailDelivery.State.QUEUED).count()} "
            "queued in all)."
        )

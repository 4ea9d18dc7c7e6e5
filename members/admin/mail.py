"""The outbox: every email, its state and tries, and sending again."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.text import Truncator

from clubsite.admin_base import ReadOnlyInline
from members.admin.scoping import TrainerScopedAdmin
from members.mail import outbox
from members.models import (
    EmailDelivery,
)

DELIVERY_FIELDS = (
    "kind",
    "to_email",
    "state",
    "attempts",
    "last_error",
    "next_attempt_at",
    "sent_at",
)


class EmailDeliveryInline(ReadOnlyInline):
    model = EmailDelivery
    fields = DELIVERY_FIELDS


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(TrainerScopedAdmin):
    """Every email the club's outbox sent or is still trying to send: the
    answer to "I never got it"."""

    list_display = ["created_at", "kind", "to_email", "for_whom", "about", "state"]
    list_filter = ["state", "kind", "created_at"]
    list_select_related = [
        "recipient__profile",
        "planned_session",
        "question",
        "pain_flag",
        "trainer_note",
    ]
    search_fields = ["to_email", "key", "recipient__profile__display_name"]
    date_hierarchy = "created_at"
    readonly_fields = (
        "key",
        "recipient",
        "question",
        "planned_session",
        "pain_flag",
        "trainer_note",
        "created_at",
        *DELIVERY_FIELDS,
        "skipped_because",
    )
    fields = readonly_fields
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="for", ordering="recipient__profile__display_name")
    def for_whom(self, delivery):
        return delivery.recipient.display_name if delivery.recipient else "—"

    @admin.display(description="about")
    def about(self, delivery):
        if delivery.planned_session:
            return delivery.planned_session
        if delivery.question:
            return delivery.question.subject
        if delivery.pain_flag:
            return f"Pain {delivery.pain_flag.level}/10"
        if delivery.trainer_note:
            return Truncator(delivery.trainer_note.text).chars(60)
        if delivery.kind == EmailDelivery.Kind.DIGEST:
            return f"Week of {timezone.localtime(delivery.created_at):%b %-d}"
        return ""

    @admin.action(description="Send again (failed or stuck ones)")
    def send_again(self, request, queryset):
        count = outbox.requeue(queryset)
        self.message_user(request, f"{count} email(s) queued again.", messages.SUCCESS)

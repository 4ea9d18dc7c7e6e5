"""Members' questions to their trainers."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from members.admin.mail import EmailDeliveryInline
from members.admin.scoping import TrainerScopedAdmin
from members.mail import outbox
from members.models import EmailDelivery, Question, Reply
from members.questions import services as questions


class ReplyInline(admin.TabularInline):
    """The conversation after the first answer; written in the trainer pages
    and the member's Questions page, where each reply is emailed."""

    model = Reply
    fields = ["created_at", "from_trainer", "author", "text"]
    readonly_fields = ["created_at", "from_trainer", "author", "text"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


@admin.register(Question)
class QuestionAdmin(TrainerScopedAdmin):
    """The inbox, as in the trainer pages; answers are written there, where
    they are emailed to the sender."""

    list_display = ["subject", "name", "trainer", "status", "delivery", "created_at"]
    list_select_related = ["trainer__profile"]
    list_filter = ["status", "created_at"]
    search_fields = ["subject", "message", "name", "email"]
    date_hierarchy = "created_at"
    readonly_fields = (
        "member",
        "name",
        "email",
        "trainer",
        "to_email",
        "subject",
        "message",
        "exercise",
        "workout",
        "created_at",
        "status",
        "answer",
        "answered_by",
        "answered_at",
        "closed_at",
        "answer_link",
    )
    fields = readonly_fields
    inlines = [ReplyInline, EmailDeliveryInline]
    actions = ["mark_answered", "close_questions", "send_failed_again"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("deliveries")

    def has_add_permission(self, request):
        return False

    @admin.display(description="email to the trainer")
    def delivery(self, question):
        delivery = question.trainer_delivery
        return delivery.get_state_display() if delivery else "—"

    @admin.display(description="answer in the app")
    def answer_link(self, question):
        url = reverse("trainer:question", args=[question.pk])
        return format_html('<a href="{}">Open the question to answer it</a>', url)

    @admin.action(description="Mark answered (replied by email)")
    def mark_answered(self, request, queryset):
        done = sum(questions.mark_answered(question=q, trainer=request.user) for q in queryset)
        self.message_user(request, f"{done} marked answered.", messages.SUCCESS)

    @admin.action(description="Close")
    def close_questions(self, request, queryset):
        done = sum(questions.close(question=q) for q in queryset)
        self.message_user(request, f"{done} closed.", messages.SUCCESS)

    @admin.action(description="Send failed emails again")
    def send_failed_again(self, request, queryset):
        count = outbox.requeue(EmailDelivery.objects.filter(question__in=queryset).failed())
        self.message_user(request, f"{count} email(s) queued again.", messages.SUCCESS)

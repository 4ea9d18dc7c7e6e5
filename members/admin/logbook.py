"""What members logged: workouts, sets, knob settings and pain flags."""

from django.contrib import admin

from clubsite.admin_base import RaceSafeAdmin, ReadOnlyInline
from members.admin.scoping import TrainerScopedAdmin
from members.models import (
    KnobSetting,
    PainFlag,
    SetLog,
    Workout,
)


class SetLogInline(ReadOnlyInline):
    model = SetLog
    fields = ("step", "exercise", "set_number", "side", "reps", "seconds", "knobs", "logged_at")


class KnobSettingInline(ReadOnlyInline):
    model = KnobSetting
    fields = ("exercise", "knob", "value", "level", "unit", "changed_at")


@admin.register(Workout)
class WorkoutAdmin(RaceSafeAdmin):
    list_display = ["member", "date", "planned_session", "is_complete", "feeling", "finished_at"]
    list_select_related = ["member", "planned_session"]
    list_filter = ["date", "is_complete", "feeling"]
    search_fields = ["member__email", "member__profile__display_name"]
    date_hierarchy = "date"
    inlines = [SetLogInline, KnobSettingInline]
    exclude = ["prescription", "choices"]

    def get_queryset(self, request):
        workouts = super().get_queryset(request)
        # Typed as a plain QuerySet by the stubs; it is the WorkoutQuerySet.
        return workouts if request.user.is_superuser else workouts.for_trainer(request.user)  # type: ignore[attr-defined]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PainFlag)
class PainFlagAdmin(TrainerScopedAdmin):
    list_display = ["member", "level", "exercise", "status", "created_at", "alert_sent_at"]
    list_select_related = ["member", "exercise"]
    list_filter = ["status", "level"]
    search_fields = ["member__email", "member__profile__display_name", "note"]
    readonly_fields = [
        "member",
        "workout",
        "exercise",
        "level",
        "note",
        "created_at",
        "alert_sent_at",
    ]
    fields = [*readonly_fields, "status"]

    def has_add_permission(self, request):
        return False

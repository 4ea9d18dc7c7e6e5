"""A member's past sessions and how each exercise moved over them."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, Sum

from members.logbook.charts import Point, line_chart
from members.models import KnobSetting, PainFlag, TrainerNote, Workout
from members.models.workouts import clock
from routines.models import Knob

RECENT = 16  # a 4-week block twice a week, with room for extras


def past_workouts(member):
    """Finished and stopped workouts, newest first, each with its set and rep
    totals, knob settings, pain flags and the trainer's notes on it: five
    queries however many."""
    return (
        Workout.objects.filter(member=member, finished_at__isnull=False)
        .select_related("planned_session")
        .annotate(
            sets_done=Count("set_logs", distinct=True),
            reps_done=Sum("set_logs__reps"),
        )
        .prefetch_related(
            Prefetch(
                "knob_settings",
                queryset=KnobSetting.objects.select_related("knob", "exercise").in_routine_order(),
            ),
            Prefetch(
                "pain_flags",
                queryset=PainFlag.objects.select_related("exercise", "resolved_by__profile"),
            ),
            Prefetch(
                "trainer_notes",
                queryset=TrainerNote.objects.select_related("author__profile").order_by(
                    "created_at"
                ),
            ),
        )
        .order_by("-started_at")
    )


def block_notes(member, limit: int = 10):
    """The trainer's notes on the member's blocks as a whole, newest first."""
    return (
        TrainerNote.objects.filter(assignment__member=member, workout__isnull=True)
        .select_related("author__profile", "assignment__routine")
        .order_by("-created_at")[:limit]
    )


@dataclass
class Trend:
    """One exercise's knob and counts, workout by workout."""

    exercise: str
    knob: Knob | None
    rows: list[dict] = field(default_factory=list)  # date, knob text, reps

    @property
    def slug(self) -> str:
        return "".join(c if c.isalnum() else "-" for c in self.exercise.lower())

    @property
    def charts(self) -> list[tuple[str, str]]:
        """(caption, svg) for each chart worth drawing."""
        charts = []
        if self.knob is not None and (svg := self.knob_chart):
            unit = "" if self.knob.unit in {"level", "none"} else f" ({self.knob.unit})"
            charts.append((f"{self.knob.label}{unit}", svg))
        if svg := self.reps_chart:
            charts.append(("Reps per session", svg))
        if svg := self.minutes_chart:
            charts.append(("Minutes per session", svg))
        return charts

    @property
    def timed(self) -> bool:
        return any(r["minutes"] for r in self.rows)

    @property
    def knob_chart(self):
        if self.knob is None:
            return ""
        points, ticks = [], None
        if self.knob.is_levels:
            names = self.knob.level_names
            ticks = list(enumerate(names))
            points = [
                Point(r["date"], names.index(r["level"]), r["level"])
                for r in self.rows
                if r.get("level") in names
            ]
        else:
            points = [
                Point(r["date"], r["value"], r["knob"])
                for r in self.rows
                if r.get("value") is not None
            ]
        if len(points) < 1:
            return ""
        first, last = points[0].text, points[-1].text
        return line_chart(
            chart_id=f"knob-{self.slug}",
            title=f"{self.exercise}: {self.knob.label.lower()}",
            description=f"From {first} on {points[0].label} to {last} on {points[-1].label}.",
            points=points,
            ticks=ticks,
        )

    def _count_chart(self, key: str, unit: str):
        """Reps or minutes per session, as a line."""
        label = "time" if key == "minutes" else key  # a timed set reads as 7:42
        points = [Point(r["date"], r[key], f"{r[label]}") for r in self.rows if r[key]]
        if not points:
            return ""
        return line_chart(
            chart_id=f"{key}-{self.slug}",
            title=f"{self.exercise}: {unit} per session",
            description=f"From {points[0].text} {unit} on {points[0].label} "
            f"to {points[-1].text} on {points[-1].label}.",
            points=points,
        )

    @property
    def reps_chart(self):
        return self._count_chart("reps", "reps")

    @property
    def minutes_chart(self):
        return self._count_chart("minutes", "minutes")


def trends(member) -> list[Trend]:
    """Per exercise, in the order of the session, over the member's recent
    workouts: the knob where it was, and the reps (or minutes) done. Three queries."""
    recent = list(
        Workout.objects.filter(member=member, finished_at__isnull=False, pain_before=0)
        .order_by("-started_at")
        .values_list("pk", "date", "prescription")[:RECENT]
    )
    recent.reverse()
    order: dict[int, int] = {}
    for _, _, prescription in reversed(recent):
        for main in prescription.get("steps", []):
            for target in [main, *main.get("options", [])]:
                order.setdefault(target["exercise_id"], len(order))
    workout_ids = [pk for pk, _, _ in recent]
    reps, minutes, names = {}, {}, {}
    for workout_id, exercise_id, name, total, seconds in (
        Workout.objects.filter(pk__in=workout_ids)
        .values_list("pk", "set_logs__exercise_id", "set_logs__exercise__name")
        .annotate(
            total=Sum("set_logs__reps", filter=Q(set_logs__reps__isnull=False)),
            seconds=Sum("set_logs__seconds", filter=Q(set_logs__seconds__isnull=False)),
        )
    ):
        if exercise_id is not None:
            reps[(workout_id, exercise_id)] = total or 0
            minutes[(workout_id, exercise_id)] = seconds or 0
            names[exercise_id] = name
    settings: defaultdict[int, dict[int, KnobSetting]] = defaultdict(dict)
    knobs: dict[int, Knob] = {}
    for knob_setting in KnobSetting.objects.filter(workout__in=workout_ids).select_related(
        "knob", "exercise"
    ):
        settings[knob_setting.exercise_id][knob_setting.workout_id] = knob_setting
        knobs.setdefault(knob_setting.exercise_id, knob_setting.knob)
        names[knob_setting.exercise_id] = knob_setting.exercise.name
    result = []
    in_session_order = sorted(names.items(), key=lambda item: (order.get(item[0], 99), item[1]))
    for exercise_id, name in in_session_order:
        trend = Trend(name, knobs.get(exercise_id))
        for workout_id, day, _ in recent:
            setting = settings[exercise_id].get(workout_id)
            count = reps.get((workout_id, exercise_id))
            timed = minutes.get((workout_id, exercise_id))
            if setting is None and not count and not timed:
                continue
            trend.rows.append(
                {
                    "date": f"{day:%b %-d}",
                    "knob": setting.display if setting else "",
                    "value": setting.value if setting else None,
                    "level": setting.level if setting else "",
                    "reps": count or 0,
                    # Charted in minutes; read as the timer showed it.
                    "minutes": round((timed or 0) / 60, 2),
                    "time": clock(timed) if timed else "",
                }
            )
        if trend.rows:
            result.append(trend)
    return result

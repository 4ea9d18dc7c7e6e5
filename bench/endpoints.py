"""The benchmark's endpoints: the ceiling and the pages members and the head
trainer use, each with the raw requests wrk sends, and the log-a-set posts,
each a set not logged before. Imported once Django is set up."""

import datetime as dt
import re
import uuid

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.support import DOMAIN, PASSWORD, Site, Visitor
from members.logbook.plan import build_plan
from members.models import Profile, User, Workout
from routines.seed import ROUTINE_SLUG


class Endpoint:
    def __init__(self, name, visitor, path, *, warmup=None, measured=None, method="GET"):
        self.name, self.visitor, self.path, self.method = name, visitor, path, method
        # A post's requests whose queries are still to count: (visitor, path, form).
        self.counted: list[tuple[Visitor, str, dict]] = []
        # Raw requests for wrk; a GET endpoint repeats one.
        self.warmup = warmup or [visitor.raw("GET", path)]
        self.measured = measured or self.warmup

    def keyed(self) -> dict[str, str]:
        """The Idempotency-Key header a post carries, if any."""
        return {}

    def count_queries(self) -> int:
        """Queries for one more request, through Django's test client with the
        visitor's own session."""
        visitor, form = self.visitor, None
        if self.method == "POST":
            visitor, self.path, form = self.counted.pop()
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies.load(visitor.cookies)
        with CaptureQueriesContext(connection) as queries:
            if form is not None:
                headers = {"HX-Request": "true", **self.keyed()}
                response = client.post(self.path, form, headers=headers)
            else:
                response = client.get(self.path)
        assert 200 <= response.status_code < 300, (self.name, response.status_code)
        return len(queries)


def build(args, site: Site) -> list[Endpoint]:
    head = Visitor(site, f"head@{DOMAIN}", PASSWORD)
    trainer = Visitor(site, f"trainer1@{DOMAIN}", PASSWORD)
    loggers = [Visitor(site, f"member{n}@{DOMAIN}", PASSWORD) for n in range(1, args.loggers + 1)]
    member = loggers[0]
    workouts = [start_workout(visitor) for visitor in loggers]
    # Half post bare, half as the phone does: each a set not logged before.
    # (Signing in more members would meet the sign-in limit per address.)
    half = max(1, len(loggers) // 2)
    detail = User.objects.get(email=f"member{args.members}@{DOMAIN}")
    trainees = Profile.objects.filter(trainer__email=f"trainer1@{DOMAIN}").count()

    return [
        Endpoint("ceiling (plain HttpResponse)", member, "/bench/ceiling/"),
        Endpoint("floor (the layout, signed in)", member, "/bench/floor/"),
        Endpoint("Today", member, "/me/"),
        Endpoint("logger page", member, f"/me/sessions/{workouts[0]}/"),
        # Sized once the ceiling's rate is known.
        LogASet(args, loggers[:half], workouts[:half]),
        LogASet(args, loggers[half:] or loggers, workouts[half:] or workouts, keyed=True),
        Endpoint("routine guide", member, f"/routines/{ROUTINE_SLUG}/"),
        Endpoint("Program", member, "/me/program/"),
        Endpoint("History", member, "/me/history/"),
        Endpoint(f"trainer dashboard ({trainees} members)", trainer, "/trainer/"),
        Endpoint(f"head trainer dashboard ({args.members} members)", head, "/trainer/"),
        Endpoint("member page (trainer)", head, f"/trainer/members/{detail.pk}/"),
    ]


def start_workout(visitor: Visitor) -> int:
    """Start today's session and answer the pain check, as on the phone."""
    answer = visitor.post("/me/sessions/start/", {})
    match = re.fullmatch(r"/me/sessions/(\d+)/", answer.location)
    if answer.status != 302 or match is None:
        raise SystemExit(f"Starting a session failed: {answer.status} {answer.location}")
    workout = int(match.group(1))
    visitor.post(f"/me/sessions/{workout}/pain-check/", {"level": "0"})
    return workout


class LogASet(Endpoint):
    """htmx posts, each logging a set not logged before: the members' own
    sessions first, then further sessions of theirs made for the run.
    ``keyed``: each carries its own Idempotency-Key, as every logger post
    from the phone's page does (static/js/outbox.js): the action and its
    answer are then kept together (members/logbook/idempotency.py)."""

    def __init__(self, args, loggers, workouts, *, keyed=False):
        self.args, self.loggers, self.workouts, self.is_keyed = args, loggers, workouts, keyed
        self.name = "log a set (htmx POST" + (", keyed)" if keyed else ")")
        self.visitor, self.method = loggers[0], "POST"
        self.path = f"/me/sessions/{workouts[0]}/sets/"
        self.warmup = self.measured = None

    def keyed(self) -> dict[str, str]:
        """A new key for each post, as the phone makes one for each tap."""
        return {"Idempotency-Key": f"bench-{uuid.uuid4()}"} if self.is_keyed else {}

    def size(self, *, requests: int) -> None:
        """Make ``requests`` posts, warm-up first, and two more for counting queries."""
        posts = set_posts(self.loggers, self.workouts, requests + 2)
        self.counted = [posts.pop(), posts.pop()]
        raws = [
            visitor.raw("POST", path, form, **{"HX-Request": "true", **self.keyed()})
            for visitor, path, form in posts
        ]
        split = int(len(raws) * self.args.warmup / (self.args.seconds + self.args.warmup))
        self.warmup, self.measured = raws[:split], raws[split:]

    def clean_up(self) -> None:
        """Remove the sessions made for the run (thousands, for a few members,
        all today), so the trainer's pages after it see the club as generated
        plus the sessions the members started themselves."""
        made = Workout.objects.filter(
            member__in=Workout.objects.filter(pk__in=self.workouts).values("member"),
            planned_session=None,
            date=timezone.localdate(),
        ).exclude(pk__in=self.workouts)
        # The last posts wrk sent are still being served when it exits, each
        # holding its workout's row lock until it commits: locking the rows
        # first waits for them (a set stored after the delete had read the
        # sets would break its foreign key), and a post after that finds its
        # session gone.
        with transaction.atomic():
            list(made.select_for_update().order_by("pk").values_list("pk", flat=True))
            made.delete()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def set_posts(loggers, workouts, needed: int) -> list[tuple]:
    """(visitor, path, form) for `needed` sets never logged, round the members."""
    per_member = {}
    for visitor, pk in zip(loggers, workouts, strict=True):
        workout = Workout.objects.get(pk=pk)
        profile = Profile.objects.get(user_id=workout.member_id)
        slots = [
            s for s in build_plan(workout, weaker_side=profile.weaker_side).slots if not s.is_extra
        ]
        per_member[pk] = (visitor, workout, slots)
    # Members differ (a weaker side adds sets): size by the shortest session.
    per_workout = min(len(slots) for _, _, slots in per_member.values())
    rounds = -(-needed // (per_workout * len(loggers)))
    # Further sessions, begun and past the pain check, like the first.
    extra = Workout.objects.bulk_create(
        Workout(
            member_id=workout.member_id,
            routine_id=workout.routine_id,
            date=timezone.localdate(),
            started_at=timezone.now() - dt.timedelta(minutes=1),
            prescription=workout.prescription,
            earlier=workout.earlier,
            pain_before=0,
        )
        for _ in range(rounds - 1)
        for _, workout, _ in per_member.values()
    )
    by_member = {}
    for visitor, workout, slots in per_member.values():
        by_member[workout.member_id] = [(visitor, workout.pk, slots)]
    for workout in extra:
        visitor, _, slots = by_member[workout.member_id][0]
        by_member[workout.member_id].append((visitor, workout.pk, slots))
    posts = []
    longest = max(len(slots) for _, _, slots in per_member.values())
    for turn in range(rounds):
        for index in range(longest):
            for sessions in by_member.values():
                visitor, pk, slots = sessions[turn]
                if index >= len(slots):
                    continue
                slot = slots[index]
                form = {"step": slot.step_id, "set_number": slot.set_number, "side": slot.side}
                if slot.is_timed:
                    form["minutes"] = max(1, (slot.target_seconds or 60) // 60)
                else:
                    form["reps"] = slot.target_reps
                posts.append((visitor, f"/me/sessions/{pk}/sets/", form))
    return posts[:needed]

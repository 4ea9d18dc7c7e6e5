"""A club at scale for measuring: trainers, members on the ground-up routine
with up to four weeks of logged sessions, knob settings, some pain flags and
questions, written in bulk and the same for the same seed. Every account has a
verified address, so it can sign in through the real sign-in form."""

import datetime as dt
import random
import uuid
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from clubsite import kept_pages
from members import models
from members.logbook.plan import snapshot
from members.models.access import TRAINERS_GROUP
from members.models.weekdays import plan_dates, weekdays_to_mask
from routines.models import Knob, Routine
from routines.seed import ROUTINE_SLUG, seed_ground_up_routine

EMAIL_DOMAIN = "club.example.com"
PASSWORD = "ground-up-club"  # noqa: S105 - generated data for measuring, DEBUG only.
# Wall distance (in) each member's tibialis raise moves through, session by session.
WALL_PATHS = [(12, 13, 14, 15, 16), (12, 12, 12, 12), (14, 13, 12, 12), (12, 14, 16, 16)]


class Command(BaseCommand):
    help = "Generate a club of N members with four weeks of logs. Refuses unless DEBUG is on."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=1000)
        parser.add_argument("--trainers", type=int, default=0, help="Default: one per 100.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (a bench database)."
        )

    def handle(self, *args, members, trainers, seed, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "generate_club writes thousands of accounts with a known password: it runs "
                "with DEBUG=true, or with --force on a database made for measuring."
            )
        trainers = trainers or max(1, members // 100)
        if models.User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists():
            raise CommandError(
                f"This database already has a generated club (@{EMAIL_DOMAIN} accounts): "
                "generate into an empty one."
            )
        started = timezone.now()
        with transaction.atomic():
            counts = generate(members=members, trainers=trainers, seed=seed)
            # Written in bulk, past the signals: a running site's kept pages go.
            kept_pages.club_changed()
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            f"{counts['members']} members, {counts['trainers']} trainers, "
            f"{counts['workouts']} workouts, {counts['sets']} sets, "
            f"{counts['questions']} questions in {seconds:.1f} s. "
            f"Trainers sign in as trainer1@{EMAIL_DOMAIN} (or head@{EMAIL_DOMAIN}, who sees "
            f"every block), members as member1@{EMAIL_DOMAIN}; the password is {PASSWORD}."
        )


def generate(*, members: int, trainers: int, seed: int, today: dt.date | None = None) -> dict:
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets.
    today = today or timezone.localdate()
    seed_ground_up_routine()
    routine = Routine.objects.get(slug=ROUTINE_SLUG)
    password = make_password(PASSWORD)
    coaches = _users(
        [(f"trainer{n}@{EMAIL_DOMAIN}", f"Trainer {n}") for n in range(1, trainers + 1)],
        password,
        staff=True,
    )
    Group.objects.get(name=TRAINERS_GROUP).user_set.add(*coaches)
    # The head trainer oversees every block, as the club's superuser does.
    _users([(f"head@{EMAIL_DOMAIN}", "Head Trainer")], password, staff=True, superuser=True)
    people = _users(
        [(f"member{n}@{EMAIL_DOMAIN}", f"Member {n}") for n in range(1, members + 1)],
        password,
        accepted_zero_pain=timezone.make_aware(dt.datetime.combine(today, dt.time()))
        - dt.timedelta(weeks=5),
    )
    monday = today - dt.timedelta(days=today.weekday())
    blocks = []
    for index, person in enumerate(people):
        coach = coaches[index % len(coaches)]
        weeks_ago = rng.choice([1, 2, 3, 3, 4])
        days = rng.choice([(0, 3), (1, 4), (0, 3), (2, 5)])
        blocks.append(
            models.Assignment(
                member=person,
                routine=routine,
                trainer=coach,
                start_date=monday - dt.timedelta(weeks=weeks_ago),
                weekdays=weekdays_to_mask(days),
                weeks=4,
            )
        )
    for index, person in enumerate(people):
        person.profile.trainer = coaches[index % len(coaches)]
    models.Profile.objects.bulk_update([p.profile for p in people], ["trainer"], batch_size=2000)
    blocks = models.Assignment.objects.bulk_create(blocks)
    sessions = models.PlannedSession.objects.bulk_create(
        models.PlannedSession(assignment=block, number=number, week=week, date=day)
        for block in blocks
        for number, (week, day) in enumerate(
            plan_dates(block.start_date, block.weekday_list, block.weeks), start=1
        )
    )
    prescription = snapshot(routine)
    by_block: dict[int, list[models.PlannedSession]] = {}
    for session in sessions:
        by_block.setdefault(session.assignment_id, []).append(session)

    workouts, plans = [], []
    for block in blocks:
        attendance = rng.choice([1.0, 1.0, 0.9, 0.75, 0.5])
        path = rng.choice(WALL_PATHS)
        done = 0
        for session in by_block[block.pk]:
            if session.date >= today or rng.random() > attendance:
                continue
            at = dt.datetime.combine(session.date, dt.time(rng.choice([7, 12, 18, 19])))
            at = timezone.make_aware(at)
            workouts.append(
                models.Workout(
                    member_id=block.member_id,
                    planned_session=session,
                    routine=routine,
                    date=session.date,
                    started_at=at,
                    finished_at=at + dt.timedelta(minutes=35),
                    is_complete=True,
                    prescription=prescription,
                    pain_before=0,
                    feeling=rng.choice(["about_right", "about_right", "too_easy", "too_hard"]),
                )
            )
            plans.append(path[min(done, len(path) - 1)])
            done += 1
    workouts = models.Workout.objects.bulk_create(workouts, batch_size=2000)

    wall = Knob.objects.get(exercise__slug="tibialis-raise")
    sets, settings_ = [], []
    for workout, distance in zip(workouts, plans, strict=True):
        knobs = {wall.label: f"{distance} in"}
        for main in prescription["steps"]:
            sides = ["left", "right"] if main["per_side"] else ["both"]
            for number in range(1, main["sets"] + 1):
                for side in sides:
                    sets.append(
                        models.SetLog(
                            workout=workout,
                            step_id=main["id"],
                            exercise_id=main["exercise_id"],
                            set_number=number,
                            side=side,
                            reps=main["reps"],
                            seconds=main["seconds"],
                            target_reps=main["reps"],
                            target_seconds=main["seconds"],
                            knobs=knobs if main["exercise_id"] == wall.exercise_id else {},
                            logged_at=workout.started_at,
                        )
                    )
        settings_.append(
            models.KnobSetting(
                workout=workout,
                knob=wall,
                exercise_id=wall.exercise_id,
                value=Decimal(distance),
                unit=wall.unit,
                changed_at=workout.started_at,
            )
        )
    models.SetLog.objects.bulk_create(sets, batch_size=5000)
    models.KnobSetting.objects.bulk_create(settings_, batch_size=5000)
    in_pain = rng.sample(people, k=max(1, members // 25))
    models.PainFlag.objects.bulk_create(
        models.PainFlag(member=person, level=rng.randint(1, 4), note="Generated")
        for person in in_pain
    )
    questions = models.Question.objects.bulk_create(
        _questions(rng, people, coaches, today), batch_size=2000
    )
    check_ins = _check_ins(rng, blocks, routine.check_in_area_names(), today)
    return {
        "members": len(people),
        "trainers": len(coaches),
        "workouts": len(workouts),
        "sets": len(sets),
        "questions": len(questions),
        "check_ins": check_ins,
    }


ACTIVITIES = ["Walking down stairs", "Standing for an hour", "Running for the bus"]


def _check_ins(rng, blocks, areas: list[str], today: dt.date) -> int:
    """Most members check in before their block; later check-ins as they fall
    due, each a few points either way (mostly better): a report has figures."""
    check_ins, answers, activities = [], [], []
    for block in blocks:
        if rng.random() < 0.15:  # never checked in
            continue
        days = {
            models.CheckIn.Kind.BASELINE: block.start_date,
            models.CheckIn.Kind.MIDWAY: block.start_date + dt.timedelta(days=7 * block.weeks // 2),
            models.CheckIn.Kind.END: block.start_date + dt.timedelta(days=7 * block.weeks - 1),
        }
        named = [
            models.Activity(assignment=block, name=name, position=position)
            for position, name in enumerate(ACTIVITIES[: rng.randint(1, 3)], start=1)
        ]
        activities += named
        pain = {area: (rng.randint(3, 8), rng.randint(1, 5)) for area in areas}
        scores = [rng.randint(2, 6) for _ in named]
        for kind, day in days.items():
            if day > today:
                break
            check_in = models.CheckIn(assignment=block, kind=kind, done_on=day)
            check_ins.append(check_in)
            answers.append((check_in, dict(pain), named, list(scores)))
            better = rng.choice([-1, 0, 1, 2, 2, 3])
            pain = {a: (max(0, w - better), max(0, u - better)) for a, (w, u) in pain.items()}
            scores = [min(10, max(0, score + better)) for score in scores]
    models.CheckIn.objects.bulk_create(check_ins, batch_size=2000)
    models.Activity.objects.bulk_create(activities, batch_size=2000)
    models.AreaPain.objects.bulk_create(
        (
            models.AreaPain(check_in=check_in, area=area, worst=worst, usual=usual)
            for check_in, pain, _, _ in answers
            for area, (worst, usual) in pain.items()
        ),
        batch_size=5000,
    )
    models.ActivityScore.objects.bulk_create(
        (
            models.ActivityScore(check_in=check_in, activity=activity, score=score)
            for check_in, _, named, scores in answers
            for activity, score in zip(named, scores, strict=True)
        ),
        batch_size=5000,
    )
    return len(check_ins)


QUESTIONS = [
    ("Wall distance", "My heels lift at 14 inches. Should I stay at 12 for now?"),
    ("Knee over toe", "I feel the front of my knee on the split squat. Is that normal?"),
    ("Band", "Which band should I use for the assisted version?"),
    ("Extra session", "Can I do the routine a third time this week?"),
]


def _questions(rng, people, coaches, today) -> list[models.Question]:
    """About one member in five asks their trainer something; half of those
    have been answered."""
    questions = []
    for index, person in enumerate(people):
        if rng.random() > 0.2:
            continue
        coach = coaches[index % len(coaches)]
        subject, message = rng.choice(QUESTIONS)
        asked = timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=rng.randint(0, 20)), dt.time(20))
        )
        answered = rng.random() < 0.5
        questions.append(
            models.Question(
                member=person,
                name=person.profile.display_name,
                email=person.email,
                trainer=coach,
                to_email=coach.email,
                subject=subject,
                message=message,
                status=models.Question.Status.ANSWERED if answered else models.Question.Status.NEW,
                answer="Stay where your heels stay down, and tell me next session."
                if answered
                else "",
                answered_by=coach if answered else None,
                answered_at=asked + dt.timedelta(hours=14) if answered else None,
                created_at=asked,
                # bulk_create skips save(), which dates the member's turn.
                member_wrote_at=asked,
                trainer_wrote_at=asked + dt.timedelta(hours=14) if answered else None,
                token=uuid.UUID(int=rng.getrandbits(128)),
            )
        )
    return questions


def _users(
    people: list[tuple[str, str]],
    password: str,
    *,
    staff: bool = False,
    superuser: bool = False,
    accepted_zero_pain: dt.datetime | None = None,
) -> list[models.User]:
    """Accounts and their profiles, in bulk."""
    users = models.User.objects.bulk_create(
        [
            models.User(email=email, password=password, is_staff=staff, is_superuser=superuser)
            for email, _ in people
        ],
        batch_size=2000,
    )
    profiles = models.Profile.objects.bulk_create(
        [
            models.Profile(user=user, display_name=name, zero_pain_accepted_at=accepted_zero_pain)
            for user, (_, name) in zip(users, people, strict=True)
        ],
        batch_size=2000,
    )
    for user, profile in zip(users, profiles, strict=True):
        user.profile = profile
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users],
        batch_size=2000,
    )
    return users

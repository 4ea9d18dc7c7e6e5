from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from members.models import Profile, User
from members.roles import TRAINERS_GROUP
from routines.seed import seed_ground_up_routine

DEMO_PASSWORD = "ground-up-demo"  # noqa: S105 - printed on purpose; DEBUG only.

DEMO_PEOPLE = [
    # (email, display name, trainer?, weaker side)
    ("makana@example.com", "Makana", True, Profile.WeakerSide.UNSURE),
    ("alex@example.com", "Alex Rivera", False, Profile.WeakerSide.LEFT),
    ("jordan@example.com", "Jordan Lee", False, Profile.WeakerSide.UNSURE),
]


class Command(BaseCommand):
    help = "Create (or refresh) the demo trainer and members. Refuses unless DEBUG is on."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "demo makes accounts with a published password, so it only runs with "
                "DEBUG=true (development)."
            )
        with transaction.atomic():
            seed_ground_up_routine()
            trainers = Group.objects.get(name=TRAINERS_GROUP)
            for email, name, is_trainer, weaker_side in DEMO_PEOPLE:
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User.objects.create_user(email, DEMO_PASSWORD, display_name=name)
                else:
                    user.set_password(DEMO_PASSWORD)
                    User.objects.set_up_vouched_account(user, display_name=name)
                user.is_staff = is_trainer
                user.save()
                if is_trainer:
                    user.groups.add(trainers)
                Profile.objects.filter(user=user).update(
                    display_name=name, weaker_side=weaker_side
                )

        self.stdout.write(self.style.SUCCESS("Demo accounts are ready. Sign in with:"))
        for email, name, is_trainer, _ in DEMO_PEOPLE:
            role = "trainer" if is_trainer else "member"
            self.stdout.write(f"  {role:8} {name:12} {email:22} password: {DEMO_PASSWORD}")

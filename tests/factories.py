import factory
from django.contrib.auth.models import Group
from django.test import Client

from clubsite import kept_pages
from members.models import User
from members.models.access import TRAINERS_GROUP

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    """A member with a verified email and a profile, as the admin or an invitation makes them."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Member {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        email = kwargs.pop("email")
        display_name = kwargs.pop("display_name")
        password = kwargs.pop("password", PASSWORD)
        return model_class.objects.create_user(
            email, password, display_name=display_name, **kwargs
        )


class TrainerFactory(UserFactory):
    email = factory.Sequence(lambda n: f"trainer{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Trainer {n}")
    is_staff = True

    @factory.post_generation
    def trainers_group(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get(name=TRAINERS_GROUP))


def ground_up_routine():
    """The seeded routine: twice a week, for 2 to 4 weeks."""
    from routines.models import Routine
    from routines.seed import ROUTINE_SLUG, seed_ground_up_routine

    seed_ground_up_routine()
    return Routine.objects.get(slug=ROUTINE_SLUG)


def stamped(user) -> None:
    """The member's and the club's page stamps made, as after the first kept
    page (``clubsite.kept_pages``): a page's queries then count one read of them."""
    kept_pages.stamps([kept_pages.member_key(user.pk), kept_pages.CLUB, kept_pages.ANY_MEMBER])


def put_on_block(member, *, trainer, start_date, weekdays=(0, 3), weeks=4, routine=None):
    """A member on a block, through the same service the trainer pages use."""
    from members.blocks.services import assign_routine

    (assignment,) = assign_routine(
        trainer=trainer,
        members=[member],
        routine=routine or ground_up_routine(),
        start_date=start_date,
        weekdays=list(weekdays),
        weeks=weeks,
    )
    return assignment


def signed_in(user) -> Client:
    """A test client signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client

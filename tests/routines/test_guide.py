import re
from io import BytesIO

import pytest
from django.test import Client
from PIL import Image

from routines.models import Exercise, Routine
from routines.seed import ROUTINE_SLUG
from tests.clubsite.test_pages import assert_csp_clean
from tests.factories import ground_up_routine, stamped
from tests.html import without_tokens
from tests.routines.factories import KnobFactory, RoutineFactory, StepFactory
from tests.routines.test_uploads import exercise_form

GUIDE = f"/routines/{ROUTINE_SLUG}/"


@pytest.fixture(autouse=True)
def _seeded(db):
    # Seeded by a migration; seeded again if a test that empties the
    # database (transaction=True) ran before this one on the same worker.
    ground_up_routine()


@pytest.mark.django_db
def test_member_reads_a_published_routine(member_client):
    response = member_client.get(GUIDE)
    assert response.status_code == 200
    assert "<h1>Reversing Foot, Ankle, and Knee Pain</h1>" in response.text
    assert "Edit in the admin" not in response.text
    assert_csp_clean(response, GUIDE)


@pytest.mark.django_db
def test_anonymous_visitor_signs_in_first(client):
    response = client.get(GUIDE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_drafts_are_a_404_for_members_and_visible_to_trainers(client, member, trainer):
    draft = RoutineFactory(status=Routine.Status.DRAFT, title="Next month's routine")
    StepFactory(routine=draft)
    client.force_login(member)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Next month" not in client.get("/routines/").text

    client.force_login(trainer)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Draft: members cannot see it" in response.text
    assert "Edit in the admin" in response.text
    assert "Next month" in client.get("/routines/").text


@pytest.mark.django_db
def test_unknown_routine_is_a_404(member_client):
    assert member_client.get("/routines/no-such-routine/").status_code == 404


def make_routine(steps: int) -> Routine:
    routine = RoutineFactory()
    previous = None
    for number in range(steps):
        step = StepFactory(routine=routine, order=number)
        KnobFactory(exercise=step.exercise)
        if number % 3 == 0:
            StepFactory(routine=routine, order=number, alternative_to=step, reps=5)
        if previous is not None and number % 4 == 1:
            step.paired_with = previous
            step.save()
        previous = step
    return routine


@pytest.mark.django_db
@pytest.mark.parametrize("steps", [3, 15])
def test_guide_queries_do_not_grow_with_steps(
    member_client, member, django_assert_num_queries, steps
):
    routine = make_routine(steps)
    stamped(member)
    # session, user, the page stamps, routine, the member's overrides, steps
    # (with exercises and partners), knobs, equipment, body areas, the
    # member's profile (weaker side).
    with django_assert_num_queries(10):
        response = member_client.get(routine.get_absolute_url())
    assert response.text.count('class="card step-card"') == steps
    # Opened again with nothing written: the page as kept.
    with django_assert_num_queries(3):
        again = member_client.get(routine.get_absolute_url()).text
    assert without_tokens(again) == without_tokens(response.text)


@pytest.mark.django_db
@pytest.mark.parametrize("routines", [1, 12])
def test_routine_list_queries_do_not_grow(member_client, django_assert_num_queries, routines):
    for _ in range(routines):
        make_routine(2)
    # session, user, routines with their step counts.
    with django_assert_num_queries(3):
        response = member_client.get("/routines/")
    assert response.text.count('<li class="card">') == routines + 1  # and the seeded one


@pytest.mark.django_db
def test_an_uploaded_image_shows_with_its_description(trainer_client, member, settings, tmp_path):
    member_client = Client()
    member_client.force_login(member)

    settings.MEDIA_ROOT = tmp_path
    exercise = Exercise.objects.get(slug="tibialis-raise")
    picture = BytesIO()
    Image.new("RGB", (8, 8), "green").save(picture, "PNG")
    picture.name = "tibialis.png"

    def post(**extra):
        picture.seek(0)
        data = exercise_form(
            exercise,
            equipment=[item.pk for item in exercise.equipment.all()],
            body_areas=[area.pk for area in exercise.body_areas.all()],
            **{"image": picture, "image_alt": "", **extra},
        )
        return trainer_client.post(f"/admin/routines/exercise/{exercise.pk}/change/", data)

    response = post()
    assert response.status_code == 200
    assert "Describe the image for members who use a screen reader." in response.text

    response = post(image_alt="Standing against a wall, toes raised")
    assert response.status_code == 302
    html = member_client.get(GUIDE).text
    assert 'alt="Standing against a wall, toes raised"' in html
    exercise.refresh_from_db()
    image = member_client.get(exercise.image.url)
    assert image.status_code == 200
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")


@pytest.mark.django_db
def test_the_extra_set_names_the_members_weaker_side(member_client, member):
    html = member_client.get(GUIDE).text
    assert "Not sure which side is weaker or stiffer?" in html
    member.profile.weaker_side = "left"
    member.profile.save()
    html = member_client.get(GUIDE).text
    assert "Your extra set: left side" in html
    assert html.count('class="your-side"') == 1  # only the Patrick step has one


@pytest.mark.django_db
def test_equipment_only_the_alternatives_need_is_marked(member_client):
    html = member_client.get(GUIDE).text
    needed = re.search(r"You will need:</span> ([^<]*)", html).group(1)
    optional = re.search(r"Only for the alternatives:</span> ([^<]*)", html).group(1)
    assert "treadmill" not in needed and "ankle weight" not in needed
    assert optional == "ankle weight, mat or pad, treadmill."
    assert "wall" in needed

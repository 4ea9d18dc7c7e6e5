"""Publishing and unpublishing: the author's call (or a head trainer's), with
a confirmation that names who is on the routine, and members on a block keep
their guide whatever happens."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from members.accounts.roles import TRAINER_PERMISSIONS
from members.models import Assignment
from routines.models import Routine
from tests.factories import TrainerFactory, put_on_block, signed_in
from tests.routines.factories import RoutineFactory, StepFactory
from tests.routines.test_admin import routine_form

CHANGELIST = "/admin/routines/routine/"


def act(client: Client, action: str, *routines: Routine, **extra):
    """The changelist's action bar, as the admin's own form posts it."""
    data = {"action": action, "index": "0", "select_across": "0"}
    data["_selected_action"] = [str(routine.pk) for routine in routines]
    data.update(extra)
    return client.post(CHANGELIST, data)


def confirm(client: Client, action: str, *routines: Routine):
    """The confirmation page's form: no ``index``, ``confirm=yes``."""
    data = {"action": action, "confirm": "yes"}
    data["_selected_action"] = [str(routine.pk) for routine in routines]
    return client.post(CHANGELIST, data)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def guide(routine: Routine) -> str:
    return f"/routines/{routine.slug}/"


@pytest.fixture
def makanas_routine(trainer):
    routine = RoutineFactory(author=trainer, title="Knee care")
    StepFactory(routine=routine)
    return routine


@pytest.fixture
def on_block(member, trainer, makanas_routine):
    """Alex, Makana's member, on Makana's routine since today."""
    return put_on_block(
        member, trainer=trainer, start_date=timezone.localdate(), routine=makanas_routine
    )


@pytest.mark.django_db
def test_another_trainer_cannot_unpublish_a_routine_members_are_on(
    other_trainer, member, makanas_routine, on_block
):
    """As found: Kai unpublished Makana's routine and Alex's guide became a 404."""
    kai = signed_in(other_trainer)
    response = act(kai, "unpublish", makanas_routine)
    assert response.status_code == 302
    makanas_routine.refresh_from_db()
    assert makanas_routine.status == Routine.Status.PUBLISHED
    [message] = messages_of(response)
    assert message.startswith("Nothing changed: only a routine's author or a head trainer")
    assert "“Knee care”" in message
    assert signed_in(member).get(guide(makanas_routine)).status_code == 200


@pytest.mark.django_db
def test_another_trainer_cannot_publish_someone_elses_draft(other_trainer, makanas_routine):
    Routine.objects.filter(pk=makanas_routine.pk).update(status=Routine.Status.DRAFT)
    response = act(signed_in(other_trainer), "publish", makanas_routine)
    makanas_routine.refresh_from_db()
    assert makanas_routine.status == Routine.Status.DRAFT
    assert messages_of(response)[0].startswith("Nothing changed")


@pytest.mark.django_db
def test_a_mixed_selection_changes_nothing(other_trainer, makanas_routine):
    """Kai's own routine and Makana's: refused as a whole, not half done."""
    kais = RoutineFactory(author=other_trainer)
    StepFactory(routine=kais)
    act(signed_in(other_trainer), "unpublish", kais, makanas_routine)
    assert set(Routine.objects.values_list("status", flat=True)) == {"published"}


@pytest.mark.django_db
def test_the_author_confirms_on_a_page_that_says_who_is_on_it(
    trainer, member, second_member, makanas_routine, on_block
):
    makana = signed_in(trainer)
    page = act(makana, "unpublish", makanas_routine)
    assert page.status_code == 200
    html = page.text
    assert "1 member is on this routine now." in html
    assert "Knee care: 1 member on it" in html
    assert "<td>Alex Rivera</td>" in html
    assert "<td>Makana</td>" in html
    makanas_routine.refresh_from_db()
    assert makanas_routine.status == Routine.Status.PUBLISHED  # asking changed nothing

    done = confirm(makana, "unpublish", makanas_routine)
    assert done.status_code == 302
    makanas_routine.refresh_from_db()
    assert makanas_routine.status == Routine.Status.DRAFT
    assert messages_of(done) == ["1 routine is a draft again."]
    # Alex, on a block of it, still reads the guide; Jordan, on none, gets a 404.
    assert signed_in(member).get(guide(makanas_routine)).status_code == 200
    assert signed_in(second_member).get(guide(makanas_routine)).status_code == 404


@pytest.mark.django_db
def test_a_paused_block_counts_and_a_finished_one_keeps_its_guide(
    trainer, member, makanas_routine, on_block
):
    Assignment.objects.filter(pk=on_block.pk).update(status=Assignment.Status.PAUSED)
    assert act(signed_in(trainer), "unpublish", makanas_routine).status_code == 200

    Assignment.objects.filter(pk=on_block.pk).update(status=Assignment.Status.COMPLETED)
    response = act(signed_in(trainer), "unpublish", makanas_routine)
    assert response.status_code == 302  # no one on it now: no question asked
    makanas_routine.refresh_from_db()
    assert makanas_routine.status == Routine.Status.DRAFT
    assert signed_in(member).get(guide(makanas_routine)).status_code == 200
    assert makanas_routine.title in signed_in(member).get("/routines/").text


@pytest.mark.django_db
def test_a_routine_no_one_is_on_unpublishes_without_a_question(trainer, makanas_routine):
    response = act(signed_in(trainer), "unpublish", makanas_routine)
    assert response.status_code == 302
    makanas_routine.refresh_from_db()
    assert makanas_routine.status == Routine.Status.DRAFT


@pytest.mark.django_db
def test_a_head_trainer_and_a_superuser_may_unpublish_any_routine(
    superuser, makanas_routine, on_block
):
    head = TrainerFactory(display_name="Lani")
    head.user_permissions.add(Permission.objects.get(codename="publish_routine"))
    for user in [head, superuser]:
        client = signed_in(user)
        assert "1 member is on this routine now." in act(client, "unpublish", makanas_routine).text
        confirm(client, "unpublish", makanas_routine)
        makanas_routine.refresh_from_db()
        assert makanas_routine.status == Routine.Status.DRAFT
        Routine.objects.filter(pk=makanas_routine.pk).update(status=Routine.Status.PUBLISHED)


def test_trainers_do_not_publish_each_others_routines_by_default():
    """The author owns a routine's published state; a club admin grants the
    permission to a head trainer, one person at a time."""
    assert "routines.publish_routine" not in TRAINER_PERMISSIONS


@pytest.mark.django_db
def test_the_status_field_is_read_only_for_another_trainer(
    other_trainer, makanas_routine, on_block
):
    kai = signed_in(other_trainer)
    url = f"{CHANGELIST}{makanas_routine.pk}/change/"
    html = kai.get(url).text
    assert 'name="status"' not in html
    data = routine_form(title="Knee care, reworded", slug=makanas_routine.slug, status="draft")
    assert kai.post(url, data).status_code == 302
    makanas_routine.refresh_from_db()
    assert makanas_routine.title == "Knee care, reworded"  # editing is shared
    assert makanas_routine.status == Routine.Status.PUBLISHED  # publishing is not


@pytest.mark.django_db
def test_the_author_unpublishing_in_the_form_is_sent_to_the_confirmation(
    trainer, makanas_routine, on_block
):
    makana = signed_in(trainer)
    url = f"{CHANGELIST}{makanas_routine.pk}/change/"
    data = routine_form(title="Knee care, v2", slug=makanas_routine.slug, status="draft")
    response = makana.post(url, data)
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["status"]
    assert error.startswith("1 member is on this routine now.")
    assert "Knee care, v2" in response.text  # what was typed is kept
    makanas_routine.refresh_from_db()
    assert makanas_routine.status == Routine.Status.PUBLISHED


@pytest.mark.django_db
def test_the_author_unpublishes_in_the_form_when_no_one_is_on_it(trainer, makanas_routine):
    url = f"{CHANGELIST}{makanas_routine.pk}/change/"
    data = routine_form(slug=makanas_routine.slug, status="draft")
    assert signed_in(trainer).post(url, data).status_code == 302
    makanas_routine.refresh_from_db()
    assert makanas_routine.status == Routine.Status.DRAFT


@pytest.mark.django_db
def test_another_trainer_cannot_delete_a_routine(other_trainer, trainer, makanas_routine):
    Routine.objects.filter(pk=makanas_routine.pk).update(status=Routine.Status.DRAFT)
    url = f"{CHANGELIST}{makanas_routine.pk}/delete/"
    assert signed_in(other_trainer).post(url, {"post": "yes"}).status_code == 403
    assert Routine.objects.filter(pk=makanas_routine.pk).exists()
    assert signed_in(trainer).post(url, {"post": "yes"}).status_code == 302
    assert not Routine.objects.filter(pk=makanas_routine.pk).exists()

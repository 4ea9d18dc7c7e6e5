"""Access follows people over time: the object URLs tried by Alex's current
trainer, a former trainer and another member's trainer, before and after
Alex changes trainer and after Alex deletes the account."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from members.blocks.steering import end_block
from members.models import Assignment, Invitation, Profile
from members.privacy import services as privacy
from tests.clubsite.authorization.matrix import MATRIX, fingerprint, path_of, payloads
from tests.factories import TrainerFactory, put_on_block

# The time dimension: access follows people. Makana trains Alex until Kai
# takes Alex on (Makana's block ends, Kai starts a new one; the member Makana
# invited moves to Kai too); then Alex deletes the account. Lani trains
# Jordan throughout. Each object URL is tried by each trainer in the role
# they hold at the time: Alex's current trainer, a former trainer, or a
# trainer of another member. Only the current trainer's door is open, and
# only while Alex's account is; a refused request changes nothing.
WHEN = ["before", "after_change", "after_deletion"]
REPORTS = ["trainer:routine_report", "trainer:routine_report_rows"]
TRAINER_ROLES = ["current_trainer", "former_trainer", "another_trainer"]
MOVED_ON = {"makana": "former_trainer", "kai": "current_trainer", "lani": "another_trainer"}
ROLE_OF = {
    "before": {"makana": "current_trainer", "kai": "another_trainer", "lani": "another_trainer"},
    "after_change": MOVED_ON,
    "after_deletion": MOVED_ON,
}


def _only_the_current_trainer(status, *, after_deletion: int | None = 404) -> dict:
    """``status`` for Alex's trainer of the moment, a 404 for the others; after
    Alex's deletion a 404 for everyone (or ``after_deletion`` for the current
    trainer, for an object that is not Alex's)."""
    others = {"former_trainer": 404, "another_trainer": 404}
    return {
        "before": {"current_trainer": status, **others},
        "after_change": {"current_trainer": status, **others},
        "after_deletion": {"current_trainer": after_deletion, **others},
    }


def _everyone(before, *, after_deletion=None) -> dict:
    after = before if after_deletion is None else after_deletion
    return {
        "before": dict.fromkeys(TRAINER_ROLES, before),
        "after_change": dict.fromkeys(TRAINER_ROLES, before),
        "after_deletion": dict.fromkeys(TRAINER_ROLES, after),
    }


# url name: {when: {role: status}}. A trainer is never the member: Alex's own
# pages are a 404 to every trainer at every time.
OVER_TIME = {
    **{name: _everyone(404) for name in MATRIX if name.startswith("members:")},
    **{
        name: _only_the_current_trainer(expected["trainer"])
        for name, (_, expected) in MATRIX.items()
        if name.startswith("trainer:") and name not in {"trainer:resend", *REPORTS}
    },
    # A routine's report counts the blocks each trainer ran, whoever trains
    # the member now: every trainer's door is open, before and after.
    **{name: _everyone(200) for name in REPORTS},
    # The invited member is not Alex: Kai, who took them on, still may.
    "trainer:resend": _only_the_current_trainer(302, after_deletion=302),
    "invitation": _everyone(200),
    # Deleting the account revokes the feed; the reminders link names no one.
    "calendar_feed": _everyone(200, after_deletion=404),
    "reminders": _everyone(200, after_deletion=404),
    "reminders_off": _everyone(302, after_deletion=404),
    "reminders_on": _everyone(302, after_deletion=404),
    "routines:guide": _everyone(200),
    "media": _everyone(200),
}


def test_every_url_that_names_an_object_has_a_row_over_time():
    assert set(OVER_TIME) == set(MATRIX)
    for name, row in OVER_TIME.items():
        assert set(row) == set(WHEN), name
        assert all(set(roles) == set(TRAINER_ROLES) for roles in row.values()), name


@pytest.fixture
def trainers(world):
    _, people = world
    lani = TrainerFactory(email="lani@example.com", display_name="Lani")
    Profile.objects.filter(user=people["other_member"]).update(trainer=lani)
    return {"makana": people["trainer"], "kai": people["other_trainer"], "lani": lani}


def _move_on(objects, member, *, to, when) -> None:
    """Kai takes Alex, and the member Makana invited, on; then Alex leaves."""
    if when == "before":
        return
    end_block(assignment=Assignment.objects.get(pk=objects["block"]["pk"]))
    invited = Invitation.objects.get(pk=objects["invitation"]["pk"]).member
    for person in [member, invited]:
        # Makana hands them over (a trainer takes on only members who are free).
        Profile.objects.filter(user=person).update(trainer=to)
        put_on_block(person, trainer=to, start_date=timezone.localdate())
    if when == "after_deletion":
        privacy.forget(member)


def _without_tokens(html: str) -> str:
    """The page less its CSRF tokens, random letters that may spell a name."""
    return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*', "", html)


@pytest.mark.django_db
@pytest.mark.parametrize("when", WHEN)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_trainer_gets_the_answer_of_their_role_at_the_time(world, trainers, name, when):
    objects, people = world
    _move_on(objects, people["owner"], to=trainers["kai"], when=when)
    method, _ = MATRIX[name]
    path = path_of(name, objects)
    data = payloads(objects).get(name, {})
    expected = OVER_TIME[name][when]
    # The refused first, so an allowed post cannot change what they would meet.
    order = sorted(trainers, key=lambda who: expected[ROLE_OF[when][who]] != 404)
    for who in order:
        role = ROLE_OF[when][who]
        client = Client()
        client.force_login(trainers[who])
        before = fingerprint()
        response = client.get(path) if method == "GET" else client.post(path, data)
        assert response.status_code == expected[role], f"{when}: {who} ({role}) {method} {path}"
        if expected[role] == 404:
            assert fingerprint() == before, f"{when}: {who}'s refused {method} {path} changed"
            assert "Alex" not in _without_tokens(response.text)

"""The answers kept for a phone's action keys are the member's data: listed in
their download, and gone with their account (a kept page may quote a note
they typed)."""

import json

import pytest

from members.models import ActionKey
from tests.factories import PASSWORD
from tests.members.logbook.action_keys import KEY, keyed, url
from tests.members.logger_helpers import no_pain, started_workout
from tests.members.privacy.test_forgetting import traces

pytestmark = pytest.mark.django_db

NOTE = "Felt the wall sits mostly in my left hip flexor."


def test_kept_answers_are_downloaded_and_forgotten_with_the_account(
    member_client, member, trainer
):
    workout = started_workout(member, trainer)
    no_pain(workout)
    # Refused for its feeling, the page comes back with the note as typed.
    refused = member_client.post(
        url(workout, "finish/"), {"feeling": "meh", "note": NOTE}, **keyed()
    )
    assert refused.status_code == 422
    assert ("members_actionkey", "body", NOTE.lower()) in traces([NOTE])
    member_client.post("/accounts/reauthenticate/", {"password": PASSWORD})

    data = json.loads(member_client.get("/me/settings/data.json").content)
    (action,) = data["actions_your_phone_sent_with_a_key"]
    assert action["key"] == KEY
    assert action["action"] == f"POST {url(workout, 'finish/')}"
    assert action["answer"] == 422

    deleted = member_client.post("/me/settings/delete/", {"confirm": "yes"})
    assert deleted.status_code == 302
    assert not ActionKey.objects.filter(user=member).exists()
    assert traces([NOTE]) == set()

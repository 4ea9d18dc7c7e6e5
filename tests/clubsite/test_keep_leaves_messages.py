"""A page the service worker fetches in the background to keep offline shows
no one-time message: the message is for the page the member has open. A
keep run that landed between a post and the page it redirects to took the
message away from it ("Session 1 was for last week" never showed)."""

import pytest
from django.utils import timezone

from clubsite.pwa import KEEP_HEADER
from tests.factories import put_on_block, signed_in
from tests.members.outcomes.test_check_in_page import answers

pytestmark = pytest.mark.django_db


def test_a_kept_copy_leaves_the_message_for_the_page_the_member_opens(member, trainer):
    put_on_block(member, trainer=trainer, start_date=timezone.localdate())
    client = signed_in(member)
    assert client.post("/me/check-in/", answers()).status_code == 302

    kept = client.get("/me/", headers={KEEP_HEADER: "1"})
    assert "Your check-in is saved" not in kept.text
    shown = client.get("/me/")
    assert "Your check-in is saved" in shown.text
    assert "Your check-in is saved" not in client.get("/me/").text  # shown once

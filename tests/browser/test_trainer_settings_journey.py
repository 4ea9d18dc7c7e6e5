"""A trainer, on a phone, turns question emails off and puts up a photo and a
few words; their member then sees them on Today."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import Profile
from tests.browser.conftest import assert_accessible, signed_in
from tests.factories import put_on_block
from tests.routines.test_uploads import picture


@pytest.mark.django_db(transaction=True)
def test_a_trainer_introduces_themself_to_their_members(
    watched_page, site, member, trainer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    put_on_block(member, trainer=trainer, start_date=timezone.localdate())
    photo = tmp_path / "makana.png"
    photo.write_bytes(picture("PNG", size=(640, 640)))
    page = watched_page

    signed_in(page, site, trainer.email, lands_on="/trainer/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_label("Email me each new question and reply").uncheck()
    expect(page.get_by_label("Email me at once when a member reports pain")).to_be_checked()
    page.get_by_label("Your photo").set_input_files(str(photo))
    bio = "Physio-trained coach. At the club Mondays and Thursdays, 7 to 11."
    page.get_by_label("About you").fill(bio)
    assert_accessible(page)
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    expect(page.get_by_label("About you")).to_have_value(bio)
    profile = Profile.objects.get(user=trainer)
    assert not profile.question_emails and profile.pain_alerts and profile.photo

    page.context.clear_cookies()
    signed_in(page, site, member.email)
    card = page.get_by_role("region", name="Your trainer, Makana")
    expect(card).to_contain_text(bio)
    photo_shown = card.locator("img.trainer-photo")
    photo_shown.scroll_into_view_if_needed()
    expect(photo_shown).to_be_visible()
    assert photo_shown.evaluate("img => img.complete && img.naturalWidth") == 128
    assert_accessible(page)

import pytest

from members.models import Profile


@pytest.mark.django_db
def test_settings_page_shows_the_members_profile(member_client):
    response = member_client.get("/me/settings/")
    assert response.status_code == 200
    assert 'value="Alex Rivera"' in response.text
    assert 'for="id_weaker_side_0"' in response.text


@pytest.mark.django_db
def test_saving_settings(member_client, member):
    response = member_client.post(
        "/me/settings/",
        {"display_name": "Alex R.", "weaker_side": "right", "units": "metric"},
        follow=True,
    )
    assert response.redirect_chain == [("/me/settings/", 302)]
    assert "Your settings are saved." in response.text
    member.profile.refresh_from_db()
    assert (member.profile.display_name, member.profile.weaker_side, member.profile.units) == (
        "Alex R.",
        Profile.WeakerSide.RIGHT,
        Profile.Units.METRIC,
    )


@pytest.mark.django_db
def test_bad_input_is_reported_at_the_field_and_nothing_is_lost(member_client, member):
    response = member_client.post(
        "/me/settings/",
        {"display_name": "   ", "weaker_side": "middle", "units": "metric"},
    )
    assert response.status_code == 422
    html = response.text
    assert "Tell us what to call you." in html
    # Said at the top too, each linked to its field.
    assert 'href="#id_display_name">Display name: Tell us what to call you.</a>' in html
    assert "Select a valid choice. middle is not one of the available choices." in html
    # The valid choice the member made is still selected.
    assert 'value="metric" required id="id_units_1" checked>' in html
    assert 'aria-invalid="true"' in html
    member.profile.refresh_from_db()
    assert member.profile.display_name == "Alex Rivera"
    assert member.profile.units == Profile.Units.IMPERIAL


@pytest.mark.django_db
def test_each_member_edits_only_their_own_profile(client, member, second_member):
    client.force_login(second_member)
    client.post("/me/settings/", {"display_name": "J", "weaker_side": "left", "units": "imperial"})
    member.profile.refresh_from_db()
    assert member.profile.display_name == "Alex Rivera"


@pytest.mark.django_db
def test_a_line_break_in_the_name_is_saved_as_a_space(member_client, member):
    """A display name goes into email headers (Reply-To), where a line break
    would make the email unsendable."""
    member_client.post(
        "/me/settings/",
        {
            "display_name": "Alex\r\nBcc: victim@example.org",
            "weaker_side": "left",
            "units": "metric",
        },
    )
    member.profile.refresh_from_db()
    assert member.profile.display_name == "Alex Bcc: victim@example.org"

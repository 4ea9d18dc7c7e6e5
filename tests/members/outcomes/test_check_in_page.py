"""The check-in on the member's phone: offered on Today while it is open,
answered in one form, stored once, never in the way of a session; the
activities named at the baseline are the ones rated later; the answers are
in the member's download and the activity names go with the account."""

import datetime as dt
import json
from html.parser import HTMLParser

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from members.models import Activity, ActivityScore, AreaPain, CheckIn, Workout
from tests.clubsite.xss import payloads
from tests.factories import PASSWORD, put_on_block, signed_in
from tests.html import elements
from tests.members.logger_helpers import CLUB, MONDAY
from tests.members.privacy.test_forgetting import traces

pytestmark = pytest.mark.django_db

URL = reverse("members:check_in")
STAIRS = "Going down the stairs at work"
AREAS = ["feet", "ankles", "knees"]


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []

    def handle_data(self, data):
        self.words += data.split()


def text_of(content: bytes) -> str:
    """The page's text as one line, tags and entities gone."""
    parser = _Text()
    parser.feed(content.decode())
    return " ".join(parser.words)


def answers(kind="baseline", **extra) -> dict:
    """Every area answered (worst 6, usual 3) and, at the baseline, two activities."""
    data = {"kind": kind}
    for number in range(len(AREAS)):
        data |= {f"worst_{number}": "6", f"usual_{number}": "3"}
    if kind == "baseline":
        data |= {
            "name_0": STAIRS,
            "new_score_0": "4",
            "name_1": "Standing an hour",
            "new_score_1": "5",
        }
    return data | extra


@pytest.fixture
def on_a_block(member, trainer):
    """Alex's block starts on Monday; today is that Monday."""
    with time_machine.travel(dt.datetime.combine(MONDAY, dt.time(9), tzinfo=CLUB), tick=False):
        block = put_on_block(member, trainer=trainer, start_date=MONDAY, weeks=2)
        yield block


def test_today_offers_the_baseline_and_the_form_asks_each_area_and_three_activities(
    on_a_block, member
):
    client = signed_in(member)
    today = text_of(client.get("/me/").content)
    assert "Check-in before you start" in today
    assert "how your feet, ankles and knees feel in daily life" in today
    page = client.get(URL)
    assert page.status_code == 200
    text = text_of(page.content)
    for area in AREAS:
        assert f"Your {area}" in text
    html = page.content.decode()
    assert [field["name"] for field in elements(html, "input", type="text")] == [
        "name_0",
        "name_1",
        "name_2",
    ]
    # A session can be started all the same: the check-in never stands in the way.
    started = client.post(reverse("members:start_workout"))
    assert started.status_code == 302
    assert Workout.objects.filter(member=member).exists()


def test_what_is_missing_is_said_at_its_field_and_what_was_typed_stays(on_a_block, member):
    client = signed_in(member)
    data = answers()
    del data["usual_1"]
    data["new_score_1"] = ""  # named, not rated
    data["new_score_2"] = "7"  # rated, not named
    response = client.post(URL, data)
    assert response.status_code == 422
    text = text_of(response.content)
    assert "Choose how your ankles usually were, 0 to 10." in text
    assert "Rate Standing an hour, from 0 to 10." in text
    assert "Name the activity this score is for." in text
    html = response.content.decode()
    assert elements(html, "input", name="name_0")[0]["value"] == STAIRS
    (six,) = elements(html, "input", name="worst_0", value="6")
    assert "checked" in six
    assert not CheckIn.objects.exists()


def test_no_activity_named_is_asked_for(on_a_block, member):
    data = {k: v for k, v in answers().items() if not k.startswith(("name_", "new_score_"))}
    response = signed_in(member).post(URL, data)
    assert response.status_code == 422
    assert "Name at least one everyday activity" in text_of(response.content)


def test_the_baseline_is_stored_once_and_half_way_rates_the_same_activities(on_a_block, member):
    client = signed_in(member)
    saved = client.post(URL, answers())
    assert saved.status_code == 302 and saved["Location"] == "/me/"
    again = client.post(URL, answers(), follow=True)  # a retried post
    assert "You had already checked in: your first answers are kept." in text_of(again.content)
    # Nothing open until half-way, which Today's message names.
    opened = client.get(URL, follow=True)
    assert "The next one opens on Monday, November 23." in text_of(opened.content)
    (baseline,) = CheckIn.objects.all()
    assert baseline.kind == "baseline" and baseline.done_on == MONDAY
    assert sorted(AreaPain.objects.values_list("area", "worst", "usual")) == [
        ("ankles", 6, 3),
        ("feet", 6, 3),
        ("knees", 6, 3),
    ]
    assert list(Activity.objects.values_list("name", "position")) == [
        (STAIRS, 1),
        ("Standing an hour", 2),
    ]
    assert "Check-in before you start" not in text_of(client.get("/me/").content)

    halfway = dt.datetime.combine(MONDAY + dt.timedelta(days=7), dt.time(9), tzinfo=CLUB)
    with time_machine.travel(halfway, tick=False):
        page = client.get(URL)
        assert "Half-way check-in" in text_of(page.content)
        assert elements(page.content.decode(), "input", name="name_0") == []
        stairs, standing = Activity.objects.all()
        data = answers("midway") | {f"score_{stairs.pk}": "7", f"score_{standing.pk}": "5"}
        assert client.post(URL, data).status_code == 302
    midway = CheckIn.objects.get(kind="midway")
    assert list(midway.scores.values_list("activity__name", "score")) == [
        (STAIRS, 7),
        ("Standing an hour", 5),
    ]
    assert ActivityScore.objects.count() == 4


def test_an_answer_to_a_check_in_no_longer_open_is_not_stored(on_a_block, member):
    response = signed_in(member).post(URL, answers("midway"))
    assert response.status_code == 302
    assert not CheckIn.objects.exists()


def test_with_no_block_there_is_nothing_to_check_in_on(member, trainer):
    assert signed_in(member).get(URL).status_code == 404
    assert signed_in(trainer).get(URL).status_code == 404


def test_the_answers_are_downloaded_and_the_activity_names_go_with_the_account(on_a_block, member):
    client = signed_in(member)
    client.post(URL, answers())
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    data = json.loads(client.get("/me/settings/data.json").content)
    (check_in,) = data["check_ins"]
    assert check_in["check_in"] == "Before you start"
    assert {"area": "knees", "worst": 6, "usual": 3} in check_in["pain_in_daily_life"]
    assert {"activity": STAIRS, "score": 4} in check_in["activities"]

    assert client.post("/me/settings/delete/", {"confirm": "yes"}).status_code == 302
    assert traces([STAIRS]) == set()
    # The figures stay, unnamed, as the sessions do.
    assert ActivityScore.objects.count() == 2


def test_an_activity_named_in_markup_is_shown_as_text(on_a_block, member):
    client = signed_in(member)
    named = answers() | {"name_0": payloads.ACTIVITY.text, "name_1": "", "new_score_1": ""}
    assert client.post(URL, named).status_code == 302
    halfway = dt.datetime.combine(MONDAY + dt.timedelta(days=7), dt.time(9), tzinfo=CLUB)
    with time_machine.travel(halfway, tick=False):
        page = client.get(URL).content.decode()
    payloads.assert_inert(page, payloads.ACTIVITY.label)
    assert escape(payloads.ACTIVITY.text) in page

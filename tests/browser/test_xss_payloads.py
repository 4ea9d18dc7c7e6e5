"""In the browser, markup typed into free-text fields stays text: on the
member's and the trainer's pages no alert() fires, no element the payloads
describe exists in the DOM, and the Content-Security-Policy has nothing to
block (it would hide an injected inline script, so its silence is checked
too). tests/clubsite/xss/ reads every page's HTML; this reads the
DOM a browser builds from it."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.logbook.sets import log_all_as_prescribed, report_pain, set_knob
from members.logbook.workouts import accept_zero_pain_rule, record_pain_before, start_workout
from members.models import Profile, StepOverride, TrainerNote
from members.questions import services as questions
from tests.clubsite.xss import payloads
from tests.clubsite.xss.world import band, poison_the_routine
from tests.factories import put_on_block

# Markup a payload would have become, had it been parsed as HTML.
INJECTED = 'img[src="x"], svg[onload], [onerror], [onload], [onmouseover], a[href^="javascript"]'


@pytest.fixture
def poisoned(member, trainer):
    """Alex today, in the middle of a session, with every field a payload."""
    Profile.objects.filter(user=member).update(display_name=payloads.MEMBER_NAME.text)
    Profile.objects.filter(user=trainer).update(display_name=payloads.TRAINER_NAME.text)
    routine = poison_the_routine()
    today = timezone.localdate()
    block = put_on_block(
        member,
        trainer=trainer,
        start_date=today - dt.timedelta(days=today.weekday()),
        weekdays=(today.weekday(), (today.weekday() + 3) % 7),
        routine=routine,
    )
    band_step, knob = band(routine)
    StepOverride.objects.create(
        member=member,
        step=band_step,
        knob=knob,
        knob_level=payloads.LEVEL.text,
        note=payloads.OVERRIDE_NOTE.text,
        set_by=trainer,
    )
    workout = start_workout(member=member)
    accept_zero_pain_rule(member=member)
    record_pain_before(workout=workout, level=0)
    set_knob(workout=workout, step_id=band_step.pk, knob_id=knob.pk, raw_value=payloads.LEVEL.text)
    log_all_as_prescribed(workout=workout, step_id=band_step.pk)
    first = routine.steps.filter(alternative_to=None).order_by("order").first()
    report_pain(workout=workout, step_id=first.pk, level=2, note=payloads.PAIN_NOTE.text)
    TrainerNote.objects.create(assignment=block, author=trainer, text=payloads.TRAINER_NOTE.text)
    question = questions.ask(
        member=member,
        name=payloads.MEMBER_NAME.text,
        email=member.email,
        subject=payloads.SUBJECT.text,
        message=payloads.MESSAGE.text,
    )
    questions.answer(question=question, trainer=trainer, text=payloads.ANSWER.text)
    return {"routine": routine, "workout": workout, "question": question}


def _visit(page, site, user, paths_and_texts):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": site,
            }
        ]
    )
    alerts, blocked = [], []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and blocked.append(message.text),
    )
    for path, texts in paths_and_texts:
        response = page.goto(site + path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        assert page.locator(INJECTED).count() == 0, f"{path}: injected markup in the DOM"
        assert page.locator("script").filter(has_text="alert(").count() == 0, path
        body = page.locator("body").inner_text()
        for field in texts:
            assert field.text in body, f"{path}: {field.label} is not shown as text"
    assert alerts == [], f"alert() fired: {alerts}"
    assert blocked == [], f"the CSP had to block something: {blocked}"


@pytest.mark.django_db(transaction=True)
def test_no_payload_runs_in_the_browser(page, site, poisoned, member, trainer):
    _visit(
        page,
        site,
        member,
        [
            (
                reverse("members:home"),
                (
                    payloads.MEMBER_NAME,
                    payloads.TRAINER_NAME,
                    payloads.TITLE,
                    payloads.TRAINER_NOTE,
                ),
            ),
            (
                poisoned["routine"].get_absolute_url(),
                (payloads.TITLE, payloads.EXERCISE, payloads.KNOB, payloads.OVERRIDE_NOTE),
            ),
            (
                reverse("members:workout", args=[poisoned["workout"].pk]),
                (payloads.EXERCISE, payloads.LEVEL),
            ),
            (reverse("members:questions"), (payloads.SUBJECT, payloads.MESSAGE, payloads.ANSWER)),
            (reverse("members:history"), (payloads.TRAINER_NOTE,)),
        ],
    )
    _visit(
        page,
        site,
        trainer,
        [
            (reverse("trainer:dashboard"), (payloads.MEMBER_NAME, payloads.TITLE)),
            (
                reverse("trainer:member", args=[member.pk]),
                (payloads.MEMBER_NAME, payloads.PAIN_NOTE, payloads.KNOB),
            ),
            (
                reverse("trainer:question", args=[poisoned["question"].pk]),
                (payloads.SUBJECT, payloads.MESSAGE),
            ),
            (reverse("trainer:members") + "?q=" + quote(payloads.SEARCH.text), (payloads.SEARCH,)),
            (reverse("trainer:assign") + f"?member={member.pk}", (payloads.TITLE,)),
        ],
    )
    # The logger's "How to do it" opens, and the setup inside it is text.
    _visit(
        page,
        site,
        member,
        [(reverse("members:workout", args=[poisoned["workout"].pk]), ())],
    )
    page.locator("details.how-to-do summary").first.click()
    assert payloads.SETUP.text in page.locator("details.how-to-do").first.inner_text()

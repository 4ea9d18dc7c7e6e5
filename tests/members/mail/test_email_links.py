"""Every email the worker sends links to the page where its reader acts, on
the site's own address: a trainer told of pain lands on the member's page at
the pain reports (where "Resolve and send the note" is), never in the admin."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from members.logbook.sets import report_pain
from members.mail import outbox
from members.models import EmailDelivery, PainFlag
from members.questions import services as questions
from tests.factories import PASSWORD, put_on_block
from tests.members.logger_helpers import started_workout, step

SITE = "http://club.test:8123"

# Each kind of email: the views its links may open. The first is where the
# reader acts, and must be there.
WHERE_THEY_ACT = {
    EmailDelivery.Kind.PAIN_ALERT: ["trainer:member"],
    EmailDelivery.Kind.PAIN_RESOLVED: ["members:home"],
    EmailDelivery.Kind.TRAINER_NOTE: ["members:home", "members:history"],
    EmailDelivery.Kind.QUESTION: ["trainer:question", "trainer:member"],
    EmailDelivery.Kind.QUESTION_RECEIPT: ["members:questions"],
    EmailDelivery.Kind.ANSWER: ["members:questions"],
    EmailDelivery.Kind.REPLY_TO_MEMBER: ["members:questions"],
    EmailDelivery.Kind.REPLY_TO_TRAINER: ["trainer:question"],
    EmailDelivery.Kind.REMINDER: [
        "members:home",
        "members:check_in",
        "members:settings",
        "reminders_off",
    ],
    EmailDelivery.Kind.DIGEST: [
        "trainer:dashboard",
        "trainer:member",
        "trainer:questions",
        "members:settings",
    ],
}

# Every kind of email, built by the builder its feature registered with the outbox.
BUILDERS = {kind: outbox.builder(kind) for kind in EmailDelivery.Kind}


def _links(message):
    """Every link in both parts: hrefs of the HTML part, addresses in the text."""
    html = message.alternatives[0].content
    hrefs = [h for h in re.findall(r'href="([^"]+)"', html) if not h.startswith("mailto:")]
    texts = re.findall(r"https?://\S+", message.body)
    return hrefs, texts


def _every_kind(member, other, trainer):
    """One email of each kind, queued by what members and trainers do."""
    workout = started_workout(member, trainer)
    report_pain(workout=workout, step_id=step(workout, "Calf raise")["id"], level=4)
    flag = PainFlag.objects.get()
    # A second flag, left open, gives the trainer's digest something to say.
    report_pain(workout=workout, step_id=step(workout, "Tibialis raise")["id"], level=2)
    coach = Client()
    coach.force_login(trainer)
    assert coach.post(f"/trainer/pain/{flag.pk}/resolve/", {"note": "Rest."}).status_code == 302
    assignment_id = workout.planned_session.assignment_id
    noted = coach.post(f"/trainer/blocks/{assignment_id}/notes/", {"note-text": "Well done."})
    assert noted.status_code == 302
    question = questions.ask(
        member=member, name="Alex", email=member.email, subject="Heels?", message="They lift."
    )
    questions.answer(question=question, trainer=trainer, text="Move closer.")
    questions.member_reply(question=question, member=member, text="How close?")
    questions.answer(question=question, trainer=trainer, text="A hand's width.")
    # A reminder is for a session due today and not started: a second member's.
    today = timezone.localdate()
    put_on_block(
        other,
        trainer=trainer,
        start_date=today,
        weekdays=(today.weekday(), (today.weekday() + 3) % 7),
    )
    session = other.assignments.get().planned_sessions.get(date=today)
    for kind, about in [
        (EmailDelivery.Kind.REMINDER, {"planned_session": session, "recipient": other}),
        (EmailDelivery.Kind.DIGEST, {"recipient": trainer}),
    ]:
        EmailDelivery.objects.get_or_create(
            kind=kind, key=f"links:{kind}", defaults={"to_email": "x@example.com", **about}
        )
    return {d.kind: d for d in EmailDelivery.objects.all()}


@pytest.mark.django_db
def test_every_email_links_to_where_its_reader_acts_on_this_site(
    member, second_member, trainer, settings
):
    settings.SITE_URL = SITE
    deliveries = _every_kind(member, second_member, trainer)
    assert set(deliveries) == set(WHERE_THEY_ACT)

    for kind, build in BUILDERS.items():
        message = build(deliveries[kind])
        hrefs, texts = _links(message)
        assert hrefs and texts, kind
        names = []
        for link in hrefs + texts:
            parts = urlsplit(link)
            assert f"{parts.scheme}://{parts.netloc}" == SITE, (kind, link)
            assert not parts.path.startswith("/admin/"), (kind, link)
            match = resolve(parts.path)
            names.append(match.view_name)
            assert match.view_name in WHERE_THEY_ACT[kind], (kind, link)
        assert WHERE_THEY_ACT[kind][0] in names, (kind, names)
        if kind == EmailDelivery.Kind.DIGEST:
            # Alex has open pain: the digest lands on their pain reports.
            assert f"{SITE}/trainer/members/{member.pk}/#pain-title" in hrefs


@pytest.mark.django_db
def test_the_pain_alert_opens_the_members_pain_reports_with_the_resolve_form(
    member, trainer, settings
):
    settings.SITE_URL = SITE
    workout = started_workout(member, trainer)
    report_pain(workout=workout, step_id=step(workout, "Calf raise")["id"], level=6)
    flag = PainFlag.objects.get()
    message = outbox.builder("pain_alert")(EmailDelivery.objects.get(kind="pain_alert"))

    hrefs, texts = _links(message)
    assert hrefs == texts == [f"{SITE}/trainer/members/{member.pk}/#pain-title"]
    coach = Client()
    coach.force_login(trainer)
    page = coach.get(urlsplit(hrefs[0]).path).content.decode()
    assert 'id="pain-title"' in page
    assert f'action="/trainer/pain/{flag.pk}/resolve/"' in page
    assert "Resolve and send the note" in page


@pytest.mark.django_db
def test_the_reply_to_pain_links_to_today_where_the_reply_now_shows(member, trainer, settings):
    settings.SITE_URL = SITE
    workout = started_workout(member, trainer)
    report_pain(workout=workout, step_id=step(workout, "Calf raise")["id"], level=3)
    flag = PainFlag.objects.get()
    coach = Client()
    coach.force_login(trainer)
    coach.post(f"/trainer/pain/{flag.pk}/resolve/", {"note": "Ice it tonight."})
    message = outbox.builder("pain_resolved")(EmailDelivery.objects.get(kind="pain_resolved"))

    hrefs, _ = _links(message)
    assert hrefs == [f"{SITE}/me/"]
    you = Client()
    you.force_login(member)
    assert "Ice it tonight." in you.get("/me/").content.decode()


def test_no_email_template_hard_codes_a_path_or_the_admin():
    """Links come from the builders (reverse + SITE_URL), so a moved page
    cannot leave an email pointing at nothing."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[3] / "templates"
    for template in [*root.glob("members/email/*"), *root.glob("account/email/*")]:
        text = template.read_text()
        assert "/admin/" not in text and "admin_path" not in text, template.name
        assert not re.search(r"\{\{ *site_url *\}\}/", text), template.name


def _make_run(env_site_url=None, **variables):
    """The commands ``make run`` would start, without starting them."""
    import os
    import shutil
    import subprocess
    from pathlib import Path

    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    if env_site_url:
        env["SITE_URL"] = env_site_url
    args = [make, "-n", "run", *(f"{k}={v}" for k, v in variables.items())]
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(  # noqa: S603 (our own make, our own arguments)
        args, cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return [
        line
        for line in out.stdout.splitlines()
        if "manage.py runserver" in line or "manage.py db_worker" in line
    ]


def test_make_run_gives_server_and_worker_its_own_address_for_links():
    commands = _make_run(HOST="0.0.0.0", PORT="8123")  # noqa: S104 (never bound)
    assert len(commands) == 2
    assert all("SITE_URL='http://0.0.0.0:8123'" in line for line in commands), commands

    # An address set in the environment (a proxy's, a tunnel's) is kept.
    commands = _make_run(env_site_url="https://club.example")
    assert all("SITE_URL='https://club.example'" in line for line in commands), commands


def test_account_emails_link_to_the_reset_pages_on_the_site_the_member_used(
    member, member_client, mailoutbox, clear_cache, settings
):
    """allauth builds these from the request, so they follow the host asked;
    the reset link opens the form to choose a password, and the "your
    password changed" notice links to the page that asks for a reset."""
    host = "club.test:8123"
    settings.ALLOWED_HOSTS = ["club.test"]
    Client().post("/accounts/password/reset/", {"email": member.email}, HTTP_HOST=host)
    member_client.post(
        "/accounts/reauthenticate/", {"password": PASSWORD, "next": "/"}, HTTP_HOST=host
    )
    changed = member_client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "n3w-Pass-w0rd", "password2": "n3w-Pass-w0rd"},
        HTTP_HOST=host,
    )
    assert changed.status_code == 302
    acts = {"Reset": "account_reset_password_from_key", "changed": "account_reset_password"}
    assert len(mailoutbox) == 2, [m.subject for m in mailoutbox]
    for message in mailoutbox:
        links = re.findall(r"https?://\S+", message.body)
        for part in message.alternatives:
            links += re.findall(r'href="(http[^"]+)"', part.content)
        assert links, message.subject
        for link in links:
            parts = urlsplit(link)
            assert parts.netloc == host, link
            kind = "Reset" if "Reset Email" in message.subject else "changed"
            assert resolve(parts.path).url_name == acts[kind], (message.subject, link)

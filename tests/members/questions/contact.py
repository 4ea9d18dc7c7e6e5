"""Asking through the contact form, as a page does: its token read from the
form, then the post; and asking through the service, as the form would."""

import re

from members.questions import services as questions

MESSAGE = "My heels lift when I squat. Should I move closer to the wall?"


def asks(person, subject):
    """``person`` asks a question through the service, as the form would."""
    return questions.ask(
        member=person,
        name=person.display_name,
        email=person.email,
        subject=subject,
        message=MESSAGE,
    )


def form_token(client, url="/contact/"):
    """The token of the form at ``url``, as the page gives it."""
    page = client.get(url).content.decode()
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def post_question(client, url="/contact/", **fields):
    data = {"subject": "How far from the wall?", "message": MESSAGE, **fields}
    data.setdefault("token", form_token(client, url))
    return client.post(url, data, REMOTE_ADDR=fields.pop("ip", "203.0.113.7"))

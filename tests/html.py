"""Reading a page's elements, as a browser would, instead of matching its text:
attribute order, quoting, spacing and entities do not matter.

For a whole element (tag, attributes and text) use pytest-django's
``assertContains(response, "<a href=...>Text</a>", html=True)`` or
``assertInHTML``; for "the elements with these attributes" use ``elements``.
"""

import re
from html.parser import HTMLParser


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def elements(html: str, tag: str | None = None, **attributes: str) -> list[dict[str, str]]:
    """The attributes of every element of ``tag`` (any tag if None) that has
    ``attributes``: ``class_`` names classes it has (one or more, space
    separated; it may have others too), other names must
    equal their value (entities decoded). ``data_x`` stands for ``data-x``."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    wanted_class = attributes.pop("class_", None)
    wanted = {name.replace("_", "-"): value for name, value in attributes.items()}
    return [
        attrs
        for found_tag, attrs in parser.found
        if (tag is None or found_tag == tag)
        and set((wanted_class or "").split()) <= set(attrs.get("class", "").split())
        and all(attrs.get(name) == value for name, value in wanted.items())
    ]


def without_tokens(html: str) -> str:
    """A page less what differs on every answer: its CSRF tokens and CSP nonces."""
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+"', r'\1"', html)
    html = re.sub(r'("X-CSRFToken": ")[^"]+"', r'\1"', html)
    return re.sub(r'(nonce=")[^"]+"', r'\1"', html)

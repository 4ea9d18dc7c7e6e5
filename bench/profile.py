"""Where an endpoint's time goes, measured in the bench's own process: the
same raw requests wrk would send (cookies, CSRF token and body included) go
through Django's WSGI handler, the whole middleware stack, one after another.

For each request it notes the wall time, the queries and the time the
database took to answer them, and the time spent rendering templates less the
queries run while rendering (a queryset a template reads). What is left is
Python in views, forms, middleware and the handler.
"""

import contextlib
import io
import statistics
import sys
import time
from collections.abc import Iterator

from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.template.backends.django import Template


class Clock:
    """Time in SQL and in templates while it is on."""

    def __init__(self):
        self.queries = 0
        self.sql = 0.0
        self.templates = 0.0
        self._depth = 0
        self._sql_in_templates = 0.0

    def _query(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.queries += 1
            self.sql += spent
            if self._depth:
                self._sql_in_templates += spent

    @contextlib.contextmanager
    def on(self) -> Iterator["Clock"]:
        clock, render = self, Template.render

        def timed_render(template, context=None, request=None):
            if clock._depth:
                return render(template, context, request)
            clock._depth += 1
            sql_before, started = clock._sql_in_templates, time.perf_counter()
            try:
                return render(template, context, request)
            finally:
                clock._depth -= 1
                spent = time.perf_counter() - started
                clock.templates += spent - (clock._sql_in_templates - sql_before)

        Template.render = timed_render  # type: ignore[method-assign]
        try:
            with contextlib.ExitStack() as stack:
                for alias in connections:
                    stack.enter_context(connections[alias].execute_wrapper(self._query))
                yield self
        finally:
            Template.render = render  # type: ignore[method-assign]


def environ(raw: str) -> dict:
    """A WSGI environ for one raw HTTP/1.1 request."""
    head, _, body = raw.partition("\r\n\r\n")
    request_line, *header_lines = head.split("\r\n")
    method, target, _ = request_line.split(" ")
    path, _, query = target.partition("?")
    data = body.encode()
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for line in header_lines:
        name, _, value = line.partition(": ")
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            env[key] = value
        else:
            env[f"HTTP_{key}"] = value
    return env


class Profiler:
    def __init__(self):
        self.handler = WSGIHandler()

    def request(self, raw: str, clock: Clock | None = None) -> tuple[int, float]:
        """Status and wall time of one request."""
        status = []

        def start_response(line, headers, exc_info=None):
            status.append(int(line.split(" ", 1)[0]))

        env = environ(raw)
        started = time.perf_counter()
        with clock.on() if clock else contextlib.nullcontext():
            response = self.handler(env, start_response)
            b"".join(response)
            response.close()
        return status[0], time.perf_counter() - started

    def measure(
        self, requests: list[str], *, count: int, warmup: int, rendered: bool = False
    ) -> dict:
        """Medians over ``count`` requests after ``warmup`` unmeasured ones;
        requests are taken in turn (a post's are each new). ``rendered``: each
        request renders its page, as the first after a write does, not the
        copy kept since (``clubsite.kept_pages``)."""
        queue = iter(_cycle(requests))
        for _ in range(warmup):
            self.request(next(queue))
        walls, sqls, templates, queries, bad = [], [], [], [], 0
        for _ in range(count):
            if rendered:
                caches["pages"].clear()
            clock = Clock()
            status, wall = self.request(next(queue), clock)
            bad += not 200 <= status < 300
            walls.append(wall)
            sqls.append(clock.sql)
            templates.append(clock.templates)
            queries.append(clock.queries)
        ms = 1000
        wall = statistics.median(walls) * ms
        sql = statistics.median(sqls) * ms
        template = statistics.median(templates) * ms
        return {
            "ms": wall,
            "p95_ms": statistics.quantiles(walls, n=20)[-1] * ms if count > 1 else wall,
            "queries": max(queries),
            "sql_ms": sql,
            "templates_ms": template,
            "python_ms": max(0.0, wall - sql - template),
            "non_2xx": bad,
        }


def _cycle(items: list[str]) -> Iterator[str]:
    while True:
        yield from items

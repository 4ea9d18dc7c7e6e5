"""A file under MEDIA_ROOT in the byte ranges a client asks for (RFC 9110,
one range a request), so a phone can start a video anywhere and fetch what
it plays, not the whole file first."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)

ONE_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
CHUNK = 64 * 1024


def _chunks(file: BinaryIO, length: int) -> Iterator[bytes]:
    with file:
        while length > 0:
            data = file.read(min(CHUNK, length))
            if not data:
                return
            length -= len(data)
            yield data


def _span(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a satisfiable single range; None if it cannot
    be met. Raises ValueError for a header we do not read (then the whole
    file is sent, as the standard allows)."""
    match = ONE_RANGE.fullmatch(header.strip())
    if match is None or match.groups() == ("", ""):
        raise ValueError(header)
    first, last = match.groups()
    if first == "":  # the last N bytes
        length = min(int(last), size)
        return (size - length, size - 1) if length else None
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    return (start, end) if start <= end else None


def ranged_file(request: HttpRequest, path: str, content_type: str) -> HttpResponseBase:
    root = Path(settings.MEDIA_ROOT).resolve()
    full = (root / path).resolve()
    if not full.is_relative_to(root) or not full.is_file():
        raise Http404("No such file.")
    size = full.stat().st_size
    header = request.headers.get("Range")
    if header is None:
        response: HttpResponseBase = FileResponse(full.open("rb"), content_type=content_type)
    else:
        try:
            span = _span(header, size)
        except ValueError:
            response = FileResponse(full.open("rb"), content_type=content_type)
        else:
            if span is None:
                response = HttpResponse(status=416)
                response["Content-Range"] = f"bytes */{size}"
            else:
                start, end = span
                file = full.open("rb")
                file.seek(start)
                response = StreamingHttpResponse(
                    _chunks(file, end - start + 1), status=206, content_type=content_type
                )
                response["Content-Range"] = f"bytes {start}-{end}/{size}"
                response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response

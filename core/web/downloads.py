"""Files people upload and download: cleaning the names they give, and the answer that
sends a file back.

A name comes from a browser, an API caller or a mail client, so it may carry a path,
line breaks (which end an HTTP header) or invisible and right-to-left characters that
disguise `exe` as `txt`. werkzeug's `secure_filename` would clean it by keeping ASCII
only (`résumé€.txt` becomes `resume.txt`); here letters of every script are kept and the
download names the file both ways (RFC 6266 `filename` for old clients, RFC 5987
`filename*` with the exact name), as werkzeug's `send_file` writes them.
"""
from __future__ import annotations

import io
import re
import unicodedata

from flask import Response, send_file

__all__ = ["clean_filename", "clean_media_type", "download_response", "FILENAME_MAX_LENGTH"]

#: The longest name kept, in characters (what a file name column holds).
FILENAME_MAX_LENGTH = 255
#: An extension longer than this is not one: a long name is then cut at its end.
_EXTENSION_MAX_LENGTH = 16
#: A media type as `type/subtype`; anything else is sent as application/octet-stream.
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}")


def clean_filename(name: str | None, *, fallback: str = "attachment", max_length: int = FILENAME_MAX_LENGTH) -> str:
    """`name` as a file name that is safe to store, show and send in a header.

    Only the last part of a path is kept; control characters (CR, LF, tab...) and line
    and paragraph separators become spaces, and format characters (bidirectional
    overrides, zero-width characters), surrogates, private-use and unassigned code points
    are dropped; runs of spaces become one, and spaces and dots around the name are
    trimmed (no hidden file, no `..`). A name longer than `max_length` characters is
    shortened before its extension. Letters of every script are kept (NFC). `fallback`
    when nothing is left."""
    text = unicodedata.normalize("NFC", str(name or ""))
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc" or category in ("Zl", "Zp"):
            kept.append(" ")
        elif not category.startswith("C"):
            kept.append(char)
    base = re.split(r"[/\\]", "".join(kept))[-1]
    base = " ".join(base.split()).strip(" .")
    if len(base) > max_length:
        stem, dot, extension = base.rpartition(".")
        if dot and stem and len(extension) <= _EXTENSION_MAX_LENGTH:
            base = f"{stem[:max_length - len(extension) - 1].rstrip(' .')}.{extension}"
        else:
            base = base[:max_length].rstrip(" .")
    return base or fallback


def clean_media_type(value: str | None) -> str:
    """`value` if it is a media type (`type/subtype`, parameters left out), else
    application/octet-stream: what a client says a file is goes into a header too."""
    media_type = (value or "").split(";", 1)[0].strip().lower()
    return media_type if _MEDIA_TYPE.fullmatch(media_type) else "application/octet-stream"


def download_response(content: bytes, filename: str | None, content_type: str | None) -> Response:
    """The answer that downloads `content` as a file named `filename` (cleaned again, so a
    name stored before names were cleaned is safe too).

    It is always an attachment, never shown in our origin, and the browser may not guess
    another type: an uploaded HTML page or script must not run as one of our pages."""
    response = send_file(io.BytesIO(content), mimetype=clean_media_type(content_type), as_attachment=True,
                         download_name=clean_filename(filename))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response

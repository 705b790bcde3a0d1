"""Cleaning the names and types people give files (core.web.downloads)."""
from __future__ import annotations

import pytest

from core.web.downloads import clean_filename, clean_media_type


@pytest.mark.parametrize("given, kept", [
    ("résumé€.txt", "résumé€.txt"),
    ("Cafe\u0301.txt", "Café.txt"),  # composed (NFC)
    ("日本語の資料.pdf", "日本語の資料.pdf"),
    ("a\r\nb.txt", "a b.txt"),
    ("a\u2028b\x85c\u2029d\te.txt", "a b c d e.txt"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),  # no right-to-left override disguising the extension
    ("zero\u200bwidth\x00.txt", "zerowidth .txt"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\ann\\report.docx", "report.docx"),
    ("  .hidden. ", "hidden"),
    ("..", "attachment"),
    ("", "attachment"),
    (None, "attachment"),
    ("dir/", "attachment"),
    ("x" * 300 + ".tar.gz", "x" * 252 + ".gz"),
    ("y" * 300, "y" * 255),
])
def test_names_keep_letters_of_every_script_and_lose_what_breaks_headers(given, kept):
    assert clean_filename(given) == kept


def test_media_types_are_type_and_subtype_or_octet_stream():
    assert [clean_media_type(value) for value in ("image/PNG", "text/plain; charset=utf-8", "text/html\r\nX: 1",
                                                  "nonsense", None, "")] == [
        "image/png", "text/plain", "application/octet-stream", "application/octet-stream",
        "application/octet-stream", "application/octet-stream"]

"""Reading the address out of what a sender or a recipient was given as (`Name <a@b>`).

`email.utils.parseaddr` is a full RFC 5322 tokenizer: most of the Python time of
handing a plain address to SMTP went to it. An address that is already a plain dot-atom
`local@domain` is its own address (as parseaddr reads it), so it skips the parser; the
few others (a sender's `Name <address>`, the same for every message) are parsed once.
"""
from __future__ import annotations

import re
from email.utils import parseaddr
from functools import lru_cache

__all__ = ["address_of", "is_plain"]

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*$")


def is_plain(text: str) -> bool:
    """Whether `text` is a bare `local@domain` of dot-atoms, which every reader of
    addresses reads as itself."""
    return _PLAIN.match(text) is not None


def address_of(text: str) -> str:
    """The addr-spec `parseaddr` finds in `text` ("" when none)."""
    return text if is_plain(text) else _parsed(text)


@lru_cache(maxsize=256)
def _parsed(text: str) -> str:
    return parseaddr(text)[1]

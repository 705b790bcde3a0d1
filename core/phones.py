"""Phone numbers compared as numbers, not as text: "+33 6 65 87 10 99", "0665871099" (in
France) and "+33 (0)6.65.87.10.99" are one number (libphonenumber's data, through
`phonenumbers`)."""
from __future__ import annotations

import re

import phonenumbers

__all__ = ["phone_key"]

_NOT_DIGITS = re.compile(r"\D+")
_SHORTEST = 5


def phone_key(number: str | None, country: str | None = None) -> str | None:
    """The number in E.164 ("+33665871099"): as written when it has its international
    prefix, else read as a number of `country` (ISO code: "FR"). A number it cannot read
    as a valid one keeps only its digits; None when there are too few to be a number."""
    if not number:
        return None
    region = (country or "").strip().upper()[:2] or None
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_valid_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    digits = _NOT_DIGITS.sub("", number)
    return digits if len(digits) >= _SHORTEST else None

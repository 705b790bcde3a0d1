"""Duplicate detection on contacts and accounts, and the duplicate/merge API actions."""
from __future__ import annotations

import difflib
import re
from typing import Any, Mapping

from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from core.api.actions import ApiAction
from core.db import db
from core.env import Env
from core.records.errors import ValidationFailed

from addons.contacts.merge import merge
from addons.contacts.models import Contact

__all__ = ["find_duplicates", "api_actions", "duplicate_email_groups", "SIMILARITY"]

#: How alike two normalized names must be (0..1) to count as the same person or company.
SIMILARITY = 0.85
_NOISE = re.compile(r"[^a-z0-9 ]+")
_LEGAL_FORMS = re.compile(r"\b(inc|ltd|llc|gmbh|sa|sas|sarl|plc|corp|co|ag|bv|srl)\b")


def _normalized(name: str) -> str:
    text = _NOISE.sub(" ", name.lower())
    return " ".join(_LEGAL_FORMS.sub(" ", text).split())


def _similar(left: str, right: str) -> bool:
    a, b = _normalized(left), _normalized(right)
    return bool(a and b) and (a == b or difflib.SequenceMatcher(None, a, b).ratio() >= SIMILARITY)


def _matching(env: Env, resource: str, record: Any, domain: list[Any], reason: str,
              found: dict[int, tuple[Any, str]]) -> None:
    """Add the visible records of `domain` (other than `record`) to `found`, first reason kept."""
    for other in db.session.scalars(env.records.select(resource, [*domain, ["id", "!=", record.id]])):
        found.setdefault(other.id, (other, reason))


def _same_phone(keys: list[str | None], fields: tuple[str, ...]) -> list[Any]:
    """A domain matching records whose normalised number in any of `fields` is one of `keys`."""
    wanted = sorted({key for key in keys if key})
    return [{"or": [[name, "in", wanted] for name in fields]}] if len(fields) > 1 else [[fields[0], "in", wanted]]


def find_duplicates(env: Env, record: Any) -> list[tuple[Any, str]]:
    """Records the user can see that are probably the same as `record`, with the reason:
    the same email (whatever its case), the same phone number (whatever its format: both
    are kept normalised, core.phones), or a similar name (at the same account, for people)."""
    found: dict[int, tuple[Any, str]] = {}
    if isinstance(record, Contact):
        if record.email:
            _matching(env, "contacts", record, [["email", "=", record.email.lower()]], "same email", found)
        if record.phone_key or record.mobile_key:
            _matching(env, "contacts", record, _same_phone([record.phone_key, record.mobile_key],
                                                           ("phone_key", "mobile_key")), "same phone number", found)
        if record.account_id is not None:
            for other in db.session.scalars(env.records.select("contacts", [
                ["account_id", "=", record.account_id], ["id", "!=", record.id]])):
                if other.id not in found and _similar(other.full_name, record.full_name):
                    found[other.id] = (other, "similar name at the same account")
        return list(found.values())
    if record.email:
        _matching(env, "accounts", record, [["email", "=", record.email.lower()]], "same email", found)
    if record.phone_key:
        _matching(env, "accounts", record, _same_phone([record.phone_key], ("phone_key",)), "same phone number",
                  found)
    if _normalized(record.name)[:3]:
        for other in db.session.scalars(env.records.select("accounts", [
                ["id", "!=", record.id], ["name", "startswith", record.name[:3]]])):
            if other.id not in found and _similar(other.name, record.name):
                found[other.id] = (other, "similar name")
    return list(found.values())


def _api_duplicates(env: Env, record: Any, _payload: Mapping[str, Any]) -> dict[str, Any]:
    return {"data": [{"id": other.id, "display_name": other.display_name, "reason": reason}
                     for other, reason in find_duplicates(env, record)]}


class _MergeBody(Schema):
    duplicates = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)), required=True,
                             metadata={"description": "Ids of the records merged into this one"})


def _api_merge(env: Env, record: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    ids = payload.get("duplicates")
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise ValidationFailed({"duplicates": ["A list of record ids is required."]})
    return merge(env, record, ids)


def api_actions() -> list[ApiAction]:
    """The duplicate and merge actions on contacts and accounts."""
    return [
        ApiAction(model, "duplicates", _api_duplicates, "Probable duplicates of this record", operation="read")
        for model in ("contacts", "accounts")
    ] + [
        ApiAction(model, "merge", _api_merge, "Merge the given duplicates into this record", body=_MergeBody)
        for model in ("contacts", "accounts")
    ]


def duplicate_email_groups(env: Env, limit: int = 100) -> list[tuple[str, int]]:
    """(email, how many contacts) for emails used by more than one visible contact."""
    visible = env.records.subquery("contacts", [["email", "is not null", None]])
    rows = db.session.execute(select(visible.c.email, func.count()).group_by(visible.c.email)
                              .having(func.count() > 1).order_by(func.count().desc()).limit(limit))
    return [(email, count) for email, count in rows]

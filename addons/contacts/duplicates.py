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


def find_duplicates(env: Env, record: Any) -> list[tuple[Any, str]]:
    """Records the user can see that are probably the same as `record`, with the reason."""
    if isinstance(record, Contact):
        found: dict[int, tuple[Any, str]] = {}
        if record.email:
            for other in db.session.scalars(env.records.select("contacts", [
                ["email", "=", record.email.lower()], ["id", "!=", record.id]])):
                found[other.id] = (other, "same email")
        if record.account_id is not None:
            for other in db.session.scalars(env.records.select("contacts", [
                ["account_id", "=", record.account_id], ["id", "!=", record.id]])):
                if other.id not in found and _similar(other.full_name, record.full_name):
                    found[other.id] = (other, "similar name at the same account")
        return list(found.values())
    prefix = _normalized(record.name)[:3]
    candidates = db.session.scalars(env.records.select("accounts", [
        ["id", "!=", record.id], ["name", "startswith", record.name[:3]]] if prefix else [["id", "=", -1]]))
    return [(other, "similar name") for other in candidates if _similar(other.name, record.name)]


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

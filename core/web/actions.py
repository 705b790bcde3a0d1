"""A page's write: done and committed, or refused with its reason shown to the user."""
from __future__ import annotations

from typing import Callable, TypeVar

from flask import flash

from core.db import db
from core.records.errors import AccessDenied, NotFound, RecordError

__all__ = ["commit_or_flash"]

T = TypeVar("T")


def commit_or_flash(action: Callable[[], T], *, pass_refusals: bool = False) -> T | None:
    """Run `action` (which returns something other than None) and commit: its result. On a
    records error, roll back and flash the error's reason: None. With `pass_refusals`, a
    record that is not found or not allowed is raised instead, for the caller's error page
    (a portal answers another customer's record with its 404)."""
    try:
        result = action()
        db.session.commit()
    except RecordError as error:
        db.session.rollback()
        if pass_refusals and isinstance(error, (NotFound, AccessDenied)):
            raise
        flash(error.reason, "error")
        return None
    return result

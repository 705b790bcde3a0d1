"""The members' portal, continued: volunteer shifts to sign up for, and the member
directory with the member's own entry (opt in, fields shared).

Sign-ups and the entry are written as the member through the records service: record
rules let them write only their own contact's."""
from __future__ import annotations

from typing import Any, Callable

from flask import Response, flash, redirect, request
from flask_babel import gettext
from sqlalchemy import func, select

from core.db import db
from core.records.errors import AccessDenied, NotFound, RecordError
from core.web.blueprint import render_page
from core.web.security import portal_login_required

from addons.membership.directory import search_directory
from addons.membership.models import DirectoryEntry, MembershipType, VolunteerShift, VolunteerSignup
from addons.membership.models.volunteers import TAKING_A_PLACE
from addons.membership.portal.pages import blueprint, member_env

__all__ = ["volunteer", "sign_up", "cancel", "directory", "directory_entry"]

_SHARED = ("listed", "share_email", "share_phone", "share_city")
#: Directory rows a page shows; more asks for a narrower search.
_PAGE = 50


def _places_taken(shift_ids: list[int]) -> dict[int, int]:
    """Places taken per shift, counted as the platform (a member reads only their own sign-ups)."""
    if not shift_ids:
        return {}
    return dict(db.session.execute(select(VolunteerSignup.shift_id, func.count()).where(
        VolunteerSignup.shift_id.in_(shift_ids), VolunteerSignup.status.in_(TAKING_A_PLACE))
        .group_by(VolunteerSignup.shift_id)).all())


def _volunteer_page(env: Any, errors: dict[int, str], status: int) -> tuple[str, int]:
    """Shifts to come, with the places left, and the member's own sign-ups; `errors`
    beside the shift they concern."""
    shown: list[Any] = [["starts_at", ">=", env.now()]]
    if errors:  # a refused shift stays in sight with its reason, even one that has started
        shown = [{"or": [shown[0], ["id", "in", list(errors)]]}]
    shifts = list(db.session.scalars(env.records.select("volunteer_shifts", shown)
                                     .order_by(VolunteerShift.starts_at, VolunteerShift.id).limit(100)))
    mine = {signup.shift_id: signup for signup in db.session.scalars(env.records.select("volunteer_signups"))}
    return render_page("membership/portal/volunteer.html", status, shifts=shifts, mine=mine,
                       taken=_places_taken([shift.id for shift in shifts]), errors=errors)


@blueprint.get("/volunteer")
@portal_login_required
def volunteer() -> tuple[str, int]:
    """Shifts to come and the member's sign-ups, each to cancel."""
    return _volunteer_page(member_env(), {}, 200)


@blueprint.post("/volunteer/<int:shift_id>")
@portal_login_required
def sign_up(shift_id: int) -> Response | tuple[str, int]:
    """Sign up for a shift (again, after cancelling); a full one says so beside it."""
    env = member_env()
    env.records.get("volunteer_shifts", shift_id)
    mine = _my_signup(env, shift_id)
    return _write_signup(env, shift_id, lambda: env.records.create(
        "volunteer_signups", {"shift_id": shift_id, "contact_id": env.user.contact_id}) if mine is None
        else env.records.update("volunteer_signups", mine.id, {"status": "signed_up"}),
        gettext("Thank you: you are signed up."))


@blueprint.post("/volunteer/<int:shift_id>/cancel")
@portal_login_required
def cancel(shift_id: int) -> Response | tuple[str, int]:
    """Cancel one's sign-up for a shift that has not started, freeing the place."""
    env = member_env()
    mine = _my_signup(env, shift_id)
    if mine is None:
        raise NotFound("you are not signed up for this shift")
    return _write_signup(env, shift_id,
                         lambda: env.records.update("volunteer_signups", mine.id, {"status": "cancelled"}),
                         gettext("Your sign-up is cancelled: thank you for telling us."))


def _my_signup(env: Any, shift_id: int) -> VolunteerSignup | None:
    return db.session.scalars(env.records.select("volunteer_signups", [["shift_id", "=", shift_id]])).first()


def _write_signup(env: Any, shift_id: int, write: Callable[[], Any], thanks: str) -> Response | tuple[str, int]:
    """Write the member's sign-up; a refusal shown beside its shift (422)."""
    try:
        write()
        db.session.commit()
    except RecordError as error:
        db.session.rollback()
        if isinstance(error, (NotFound, AccessDenied)):
            raise
        return _volunteer_page(env, {shift_id: error.reason}, 422)
    flash(thanks, "success")
    return redirect("/members/volunteer", code=303)


def _entry(env: Any) -> DirectoryEntry | None:
    return db.session.scalars(env.records.select("directory_entries")).first()


@blueprint.get("/directory")
@portal_login_required
def directory() -> tuple[str, int]:
    """Opted-in members, searched by name, city and level; the member's own entry."""
    env = member_env()
    args = request.args
    level = args.get("level", "")
    rows = search_directory(env, name=args.get("name", ""), city=args.get("city", ""),
                            level_id=int(level) if level.isdigit() else None, limit=_PAGE)
    levels = list(db.session.scalars(env.records.select("membership_types", [["active", "=", True]])
                                     .order_by(MembershipType.name)))
    return render_page("membership/portal/directory.html", rows=rows, levels=levels, entry=_entry(env),
                       args=args, page_size=_PAGE)


@blueprint.post("/directory/entry")
@portal_login_required
def directory_entry() -> Response:
    """List oneself in the directory (or not), choosing the fields shown."""
    env = member_env()
    values = {name: request.form.get(name) == "on" for name in _SHARED}
    entry = _entry(env)
    if entry is None:
        env.records.create("directory_entries", {"contact_id": env.user.contact_id, **values})
    else:
        env.records.update("directory_entries", entry.id, values)
    db.session.commit()
    flash("Your directory entry is saved.", "success")
    return redirect("/members/directory", code=303)

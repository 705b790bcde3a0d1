"""The members' portal: memberships with online renewal, gifts and receipts (PDF).

Every read runs as the member (record rules: their own contact's records), so another
member's membership or receipt is "not found"; writes go through
`addons.membership.renewal.renew_online` and the records service.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect

from core.db import db
from core.declarations import Portal
from core.env import Env
from core.records.errors import AccessDenied, NotFound, RecordError
from core.web.blueprint import render_page
from core.web.security import portal_login_required, web_env

from addons.membership.models import Donation, Membership, Receipt
from addons.membership.receipts import receipt_pdf
from addons.membership.renewal import RENEWABLE, renew_online

__all__ = ["blueprint", "member_portal", "member_env"]

blueprint = Blueprint("membership_portal", __name__, url_prefix="/members")


def member_portal() -> Portal:
    """Portal users' home page: the members' portal."""
    return Portal("portal", "/members/", title="Members' portal")


@blueprint.errorhandler(NotFound)
@blueprint.errorhandler(AccessDenied)
def _refused(error: RecordError) -> tuple[str, int]:
    return render_page("membership/portal/message.html", error.status, title="Not available", message=str(error))


def member_env() -> Env:
    """The signed-in member's Env; a user with no contact is no member (403)."""
    env = web_env()
    if env.user is None or env.user.contact_id is None:
        raise AccessDenied("the members' portal is for members: your account names no contact")
    return env


def _rows(env: Env, resource: str, order: Any, limit: int = 100) -> list[Any]:
    return list(db.session.scalars(env.records.select(resource).order_by(*order).limit(limit)))


@blueprint.get("/")
@portal_login_required
def home() -> tuple[str, int]:
    """The member's memberships, each with its renewal."""
    env = member_env()
    memberships = _rows(env, "memberships", [Membership.end_date.desc(), Membership.id.desc()])
    return render_page("membership/portal/home.html", memberships=memberships, renewable=RENEWABLE)


@blueprint.post("/memberships/<int:membership_id>/renew")
@portal_login_required
def renew(membership_id: int) -> Response:
    """Renew (or pay) one's membership online."""
    env = member_env()
    try:
        payment = renew_online(env, membership_id)
        db.session.commit()
        flash(f"Thank you: your membership runs to {payment.period_end.isoformat()}.", "success")
    except RecordError as error:
        db.session.rollback()
        if isinstance(error, (NotFound, AccessDenied)):
            raise
        flash(error.reason, "error")
    return redirect("/members/", code=303)


@blueprint.get("/donations")
@portal_login_required
def donations() -> tuple[str, int]:
    """The member's gifts and their receipts."""
    env = member_env()
    gifts = _rows(env, "donations", [Donation.received_on.desc(), Donation.id.desc()], 200)
    receipts = _rows(env, "receipts", [Receipt.issued_on.desc(), Receipt.id.desc()], 200)
    return render_page("membership/portal/donations.html", gifts=gifts, receipts=receipts)


@blueprint.get("/receipts/<int:receipt_id>.pdf")
@portal_login_required
def receipt_download(receipt_id: int) -> Response:
    """One of the member's receipts as a PDF."""
    env = member_env()
    receipt = env.records.get("receipts", receipt_id)
    return Response(receipt_pdf(env, receipt), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="receipt-{receipt.number}.pdf"'})

"""The members' portal: memberships paid or renewed online, gifts and receipts (PDF).

Every read runs as the member (record rules: their own contact's records), so another
member's membership, payment or receipt is "not found"; a renewal opens a checkout
(`addons.membership.checkout`) that the payment processor's settlement turns into the
membership's payment.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import gettext

from core.db import db
from core.declarations import Portal
from core.env import Env
from core.records.errors import AccessDenied, NotFound, RecordError
from core.web.actions import commit_or_flash
from core.web.blueprint import render_page
from core.web.security import portal_login_required, web_env

from addons.membership.checkout import RENEWABLE, cancel_checkout, open_checkout, processor, processors
from addons.membership.models import Donation, Membership, MembershipCheckout, Receipt
from addons.membership.receipts import receipt_pdf

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
    """The member's memberships, each with its payment awaited or the ways to renew it."""
    env = member_env()
    memberships = _rows(env, "memberships", [Membership.end_date.desc(), Membership.id.desc()])
    awaited = {checkout.membership_id: checkout for checkout in db.session.scalars(
        env.records.select("membership_checkouts", [["status", "=", "open"]]).order_by(MembershipCheckout.id))}
    return render_page("membership/portal/home.html", memberships=memberships, renewable=RENEWABLE,
                       awaited=awaited, processors=processors())


@blueprint.post("/memberships/<int:membership_id>/renew")
@portal_login_required
def renew(membership_id: int) -> Response:
    """Pay or renew one's membership online: a checkout opened (or the open one taken up)
    and the member sent to the chosen processor to pay it."""
    env = member_env()
    checkout = commit_or_flash(lambda: open_checkout(env, membership_id, request.form.get("processor")
                                                     or processors()[0].key), pass_refusals=True)
    if checkout is None:
        return redirect("/members/", code=303)
    back = url_for("membership_portal.checkout_page", reference=checkout.reference, _external=True)
    return redirect(processor(checkout.processor).begin(env, checkout, back), code=303)


def _my_checkout(env: Env, reference: str) -> MembershipCheckout:
    found = db.session.scalars(env.records.select("membership_checkouts", [["reference", "=", reference]])).first()
    if found is None:
        raise NotFound(f"no online payment {reference}")
    return found


@blueprint.get("/checkouts/<reference>")
@portal_login_required
def checkout_page(reference: str) -> tuple[str, int]:
    """One of the member's online payments: what to pay and how, or what became of it."""
    env = member_env()
    checkout = _my_checkout(env, reference)
    return render_page("membership/portal/checkout.html", checkout=checkout,
                       instructions=str(env.platform.settings["membership_transfer_instructions"]).strip())


@blueprint.post("/checkouts/<reference>/cancel")
@portal_login_required
def checkout_cancel(reference: str) -> Response:
    """Cancel one's online payment that is still awaited."""
    env = member_env()
    if commit_or_flash(lambda: cancel_checkout(env, _my_checkout(env, reference).id), pass_refusals=True) is not None:
        flash(gettext("The payment is cancelled."), "success")
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

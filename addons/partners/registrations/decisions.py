"""A registration submitted, approved, rejected or expired, each decision audited (the
records service keeps who changed what) and mailed to the partner.

Approving makes the deal: the customer's account (found by domain or name, else made),
its contact (found by email, else made) and an opportunity of the partner, protected for
`PROTECTION_DAYS`; every other registration still waiting for the same customer is
flagged for the channel manager. An approved registration whose protection lapses while
its deal is still open expires: the deal stays, the partner's protection goes.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Mapping

from core.db import db
from core.env import Env
from core.records.errors import AccessDenied, ValidationFailed

from addons.partners.mail import mail_partner
from addons.partners.models import DealRegistration
from addons.partners.models.registrations import domain_of
from addons.partners.registrations.conflicts import company_key, find_conflicts, similar_names

__all__ = ["detect_conflicts", "approve", "reject", "expire_lapsed", "PROTECTION_DAYS"]

#: Days an approved registration protects the partner's deal.
PROTECTION_DAYS = 90
_RESOURCE = "deal_registrations"


def detect_conflicts(env: Env, registration: DealRegistration) -> None:
    """Record the conflicts of a new registration, and add it to those of the registrations
    it conflicts with, so the channel manager sees each side from the other."""
    records = env.sudo().records
    found = find_conflicts(env, registration)
    records.update(_RESOURCE, registration.id, {"conflicts": found or None, "has_conflict": bool(found)})
    for conflict in found:
        if conflict["kind"] != "registration":
            continue
        other = records.get(_RESOURCE, conflict["id"])
        mine = {"kind": "registration", "id": registration.id, "name": registration.customer_name,
                "partner": registration.partner.name, "status": registration.status, "reasons": conflict["reasons"]}
        records.update(_RESOURCE, other.id, {"conflicts": [*(other.conflicts or []), mine], "has_conflict": True})


def _waiting(env: Env, registration: DealRegistration) -> DealRegistration:
    """The registration, if the acting user may decide it and it waits for a decision.
    Decisions write fields only the platform sets: checked as the user, written with
    system rights, still stamped with the user's name."""
    if not env.policy.can(_RESOURCE, "update"):
        raise AccessDenied("deciding deal registrations is for channel managers")
    record = env.records.get(_RESOURCE, registration.id)  # the decider may reach it (404 otherwise)
    if record.status != "submitted":
        raise ValidationFailed({"status": [f"This registration is {record.status} already: only a submitted "
                                           "registration is decided."]})
    return record


def _account(env: Env, registration: DealRegistration) -> int:
    records = env.sudo().records
    domain = registration.customer_domain or domain_of(registration.contact_email)
    if domain:
        statement = records.select("accounts", [["website", "ilike", f"%{domain}%"]]).limit(20)
        for account in db.session.scalars(statement):
            if domain_of(account.website) == domain:
                return int(account.id)
    word = max(company_key(registration.customer_name).split() or [registration.customer_name], key=len)
    for account in db.session.scalars(records.select("accounts", [["name", "ilike", f"%{word}%"]]).limit(50)):
        if similar_names(account.name, registration.customer_name):
            return int(account.id)
    return int(records.create("accounts", {"name": registration.customer_name,
                                           "website": f"https://{domain}" if domain else None}).id)


def _contact(env: Env, registration: DealRegistration, account_id: int) -> int | None:
    if not registration.contact_email and not registration.contact_name:
        return None
    records = env.sudo().records
    if registration.contact_email:
        found = db.session.scalars(records.select("contacts", [["email", "=", registration.contact_email]])
                                   .limit(1)).first()
        if found is not None:
            return int(found.id)
    first, _space, last = (registration.contact_name or registration.contact_email or "").partition(" ")
    return int(records.create("contacts", {"first_name": first or None, "last_name": last or first,
                                           "email": registration.contact_email, "account_id": account_id}).id)


def _tell(env: Env, registration: DealRegistration, subject: str, text: str) -> None:
    mail_partner(env.sudo(), registration.partner, subject, text, (_RESOURCE, registration.id))


def approve(env: Env, registration: DealRegistration, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Approve a submitted registration: the partner's protected deal, the others flagged."""
    record = _waiting(env, registration)
    partner = record.partner
    today = env.now().date()
    until = today + timedelta(days=PROTECTION_DAYS)
    account_id = _account(env, record)
    deal = env.sudo().records.create("opportunities", {
        "name": f"{record.customer_name}: {record.product_interest or 'registered deal'}"[:200],
        "account_id": account_id, "contact_id": _contact(env, record, account_id), "amount": record.amount,
        "close_date": record.expected_close, "source": "partner", "partner_id": partner.id,
        "owner_id": partner.channel_manager_id or env.user.id, "partner_protected_until": until,
    })
    reason = str(payload.get("reason") or "").strip() or None
    env.sudo().records.update(_RESOURCE, record.id, {
        "status": "approved", "decided_by": env.user.id, "decided_at": env.now(), "decision_reason": reason,
        "opportunity_id": deal.id, "protected_until": until})
    for conflict in record.conflicts or []:
        if conflict["kind"] == "registration":
            other = env.sudo().records.get(_RESOURCE, conflict["id"])
            if other.status == "submitted":
                env.sudo().records.update(_RESOURCE, other.id, {"flagged": True})
    _tell(env, record, f"Deal registration approved: {record.customer_name}",
          f"Your registration of {record.customer_name} is approved. The deal is yours and protected until "
          f"{until.isoformat()}." + (f"\n\n{reason}" if reason else ""))
    return env.records.dump(_RESOURCE, [record])[0]


def reject(env: Env, registration: DealRegistration, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Reject a submitted registration with a `reason` (required: the partner is told it)."""
    reason = str(payload.get("reason") or "").strip()
    if not reason:
        raise ValidationFailed({"reason": ["Say why the registration is rejected: the partner is told."]})
    record = _waiting(env, registration)
    env.sudo().records.update(_RESOURCE, record.id, {"status": "rejected", "decided_by": env.user.id,
                                              "decided_at": env.now(), "decision_reason": reason})
    _tell(env, record, f"Deal registration rejected: {record.customer_name}",
          f"Your registration of {record.customer_name} is rejected.\n\n{reason}")
    return env.records.dump(_RESOURCE, [record])[0]


def expire_lapsed(env: Env) -> int:
    """Expire the approved registrations whose protection lapsed while their deal is still
    open; how many expired."""
    today = env.now().date()
    statement = env.records.select(_RESOURCE, [["status", "=", "approved"], ["protected_until", "<", today],
                                               ["opportunity.status", "=", "open"]]).order_by(DealRegistration.id)
    lapsed = db.session.scalars(statement).all()
    for record in lapsed:
        env.records.update(_RESOURCE, record.id, {
            "status": "expired", "decision_reason": f"Protection lapsed on {record.protected_until} with the deal "
                                                    "still open."})
        env.records.update("opportunities", record.opportunity_id, {"partner_protected_until": None})
        _tell(env, record, f"Deal registration expired: {record.customer_name}",
              f"The protection of your registration of {record.customer_name} lapsed on "
              f"{record.protected_until} with the deal still open.")
    return len(lapsed)

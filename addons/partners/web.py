"""Back-office pages of the partners addon: the forms behind its detail panels (deciding
a registration, offering a lead to partners, approving a tier review), and the panels
themselves: a registration's conflicts and decision, a lead's partner offers."""
from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint, flash, redirect, render_template, request
from werkzeug.wrappers import Response

from core.db import db
from core.declarations import DetailPanel, QuickAction
from core.env import Env
from core.web.actions import commit_or_flash
from core.web.security import login_required, web_env

from addons.partners.models import LeadOffer

__all__ = ["blueprint", "decision_panels"]

blueprint = Blueprint("partners_web", __name__)


def _run(back: str, action: Callable[[Env], str]) -> Response:
    """Run a panel's action as the signed-in user: commit and say so, or roll back and say
    why, back on the record's page."""
    env = web_env()
    message = commit_or_flash(lambda: action(env))
    if message is not None:
        flash(message, "success")
    return redirect(back, code=303)


@blueprint.post("/partners/registrations/<int:registration_id>/<any(approve, reject):decision>")
@login_required
def decide(registration_id: int, decision: str) -> Response:
    """The Approve and Reject buttons of a registration (a reason is told to the partner)."""
    from addons.partners.registrations.decisions import approve, reject

    def action(env: Env) -> str:
        registration = env.records.get("deal_registrations", registration_id)
        payload = {"reason": request.form.get("reason", "")}
        (approve if decision == "approve" else reject)(env, registration, payload)
        return f"Registration of {registration.customer_name} {decision}d; the partner is told."

    return _run(f"/m/deal_registrations/{registration_id}", action)


@blueprint.post("/partners/leads/<int:lead_id>/offer")
@login_required
def offer(lead_id: int) -> Response:
    """The "Offer to partners" button of a lead."""
    from addons.partners.distribution.offers import offer_lead

    def action(env: Env) -> str:
        env.policy.require("lead_offers", "create")
        made = offer_lead(env, env.records.get("leads", lead_id, operation="update"))
        return f"Offered to {made.partner.name}." if made else "No partner may take it: it stays with the team."

    return _run(f"/m/leads/{lead_id}", action)


@blueprint.post("/partners/partners/<int:partner_id>/apply_tier_review")
@login_required
def apply_tier(partner_id: int) -> Response:
    """The "Approve the tier change" button of a partner."""
    from addons.partners.tiers import apply_review

    def action(env: Env) -> str:
        partner = env.records.get("partners", partner_id)
        target = partner.proposed_tier.name if partner.proposed_tier else ""
        apply_review(env, partner, {})
        return f"{partner.name} is now {target}."

    return _run(f"/m/partners/{partner_id}", action)


def _registration(env: Env, registration: Any) -> str:
    conflicts = registration.conflicts if "conflicts" in env.records.readable_fields("deal_registrations") else None
    deciding = registration.status == "submitted" and env.records.allows("deal_registrations", registration.id,
                                                                         "update")
    return render_template("partners/registration_panel.html", registration=registration, conflicts=conflicts,
                           deciding=deciding)


def _offers(env: Env, lead: Any) -> str:
    statement = env.records.select("lead_offers", [["lead_id", "=", lead.id]]).order_by(LeadOffer.id)
    return render_template("partners/offers_panel.html", offers=db.session.scalars(statement).all())


def decision_panels() -> list[DetailPanel]:
    """A registration's conflicts and decision; a lead's partner offers."""
    return [
        DetailPanel("partners.registration", "Conflicts and decision",
                    lambda resource: resource == "deal_registrations", _registration, position=10),
        DetailPanel("partners.offers", "Partner offers", lambda resource: resource == "leads", _offers, position=60,
                    covers=("lead_offers",), quick_actions=(QuickAction(
                        "Offer to partners", lambda lead: lead.partner_id is None and lead.status != "converted",
                        post="/partners/leads/{id}/offer",
                        allowed=lambda env, lead: env.policy.can("lead_offers", "create")),)),
    ]

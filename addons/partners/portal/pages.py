"""The partner portal under /partner: the organisation's lead offers, deals (with search,
totals per stage and CSV export), registrations, commissions, fund requests and marketing
material.

Every read runs with the partner user's own permissions (record rules: their
organisation's records; deals without the vendor's notes); writes go through
`addons.partners.portal.actions`, `registrations.submission`, `distribution.offers` and
`funds`, which set exactly the fields a partner may give.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request
from sqlalchemy import func, select

from core.db import db
from core.declarations import Portal
from core.env import Env
from core.records.errors import AccessDenied, NotFound, RecordError
from core.web.actions import commit_or_flash
from core.web.blueprint import render_page
from core.web.security import portal_login_required, web_env

from addons.partners import funds
from addons.partners.distribution import offers
from addons.partners.material import gather
from addons.partners.models import Commission, DealRegistration, FundRequest, LeadOffer
from addons.partners.portal import actions
from addons.partners.registrations.submission import PARTNER_FIELDS, partner_of, register_deal
from addons.sales.models import Opportunity, PipelineStage

__all__ = ["blueprint", "partner_portal"]

blueprint = Blueprint("partners_portal", __name__, url_prefix="/partner")
_DEAL_COLUMNS = ("id", "name", "stage", "amount", "currency", "close_date", "status")


def partner_portal() -> Portal:
    """Partner users' home page."""
    return Portal("partner", "/partner/", title="Partner portal")


@blueprint.errorhandler(NotFound)
@blueprint.errorhandler(AccessDenied)
def _refused(error: RecordError) -> tuple[str, int]:
    return render_page("partners/portal/message.html", error.status, title="Not available", message=str(error))


def _env() -> Env:
    env = web_env()
    partner_of(env)
    return env


def _all(env: Env, resource: str, domain: Any, order: Any, limit: int = 200) -> list[Any]:
    return list(db.session.scalars(env.records.select(resource, domain).order_by(*order).limit(limit)))


def _deals(env: Env, search: str | None) -> list[Opportunity]:
    statement = env.records.select("opportunities", None, search=search or None)
    return list(db.session.scalars(statement.order_by(Opportunity.close_date, Opportunity.id).limit(500)))


def _stage_totals(env: Env, search: str | None) -> list[tuple[str, int, Decimal]]:
    """The board's totals: deals and amount per stage, of the deals the partner reads."""
    deals = env.records.select("opportunities", None, search=search or None).subquery()
    amount = func.coalesce(func.sum(deals.c.amount_company), 0)
    rows = db.session.execute(select(PipelineStage.name, func.count(), amount)
                              .join(deals, deals.c.stage_id == PipelineStage.id)
                              .group_by(PipelineStage.id, PipelineStage.name, PipelineStage.sequence)
                              .order_by(PipelineStage.sequence))
    return [(name, int(count), Decimal(total)) for name, count, total in rows]


def _open_stages(env: Env) -> list[PipelineStage]:
    return _all(env.sudo(), "pipeline_stages", [["is_won", "=", False], ["is_lost", "=", False]],
                [PipelineStage.sequence, PipelineStage.id])


@blueprint.get("/")
@portal_login_required
def home() -> tuple[str, int]:
    """Offers waiting for an answer, then the organisation's deals, registrations,
    commissions and fund requests."""
    env = _env()
    return render_page(
        "partners/portal/home.html", partner=env.sudo().records.get("partners", partner_of(env)),
        offers=_all(env, "lead_offers", [["status", "=", "offered"]], [LeadOffer.due_at, LeadOffer.id]),
        deals=_deals(env, None)[:20],
        registrations=_all(env, "deal_registrations", None, [DealRegistration.id.desc()], 20),
        commissions=_all(env, "commissions", None, [Commission.won_on.desc(), Commission.id.desc()], 20),
        fund_requests=_all(env, "fund_requests", None, [FundRequest.starts_on.desc(), FundRequest.id.desc()], 20),
        balances=funds.balances(env, partner_of(env)))


@blueprint.get("/opportunities")
@portal_login_required
def deal_list() -> tuple[str, int]:
    """The organisation's deals, searched, with the totals per stage."""
    env = _env()
    search = request.args.get("q", "").strip()
    return render_page("partners/portal/deals.html", deals=_deals(env, search), totals=_stage_totals(env, search),
                       q=search)


@blueprint.get("/opportunities.csv")
@portal_login_required
def deal_export() -> Response:
    """The same deals as CSV."""
    env = _env()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_DEAL_COLUMNS)
    for deal in _deals(env, request.args.get("q", "").strip()):
        writer.writerow([deal.id, deal.name, deal.stage.name if deal.stage else "", deal.amount, deal.currency,
                         deal.close_date or "", deal.status])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="opportunities.csv"'})


@blueprint.route("/opportunities/<int:deal_id>", methods=["GET", "POST"])
@portal_login_required
def deal_page(deal_id: int) -> Response | tuple[str, int]:
    """One deal: its stage and next step changed, activities logged."""
    env = _env()
    deal = actions.partner_deal(env, deal_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = request.form
        try:
            if form.get("action") == "stage":
                actions.move_stage(env, deal.id, form.get("stage_id"))
            elif form.get("action") == "next_step":
                actions.plan_next_step(env, deal.id, form.get("summary", ""), form.get("due_at") or None)
            else:
                actions.log_activity(env, deal.id, form.get("kind", ""), form.get("summary", ""))
            db.session.commit()
            flash("Saved.", "success")
            return redirect(f"/partner/opportunities/{deal.id}", code=303)
        except RecordError as error:
            db.session.rollback()
            errors = getattr(error, "errors", {"summary": [str(error)]})
            deal = actions.partner_deal(env, deal_id)
    return render_page("partners/portal/deal.html", 422 if errors else 200, deal=deal, errors=errors,
                       stages=_open_stages(env), activities=actions.deal_activities(env, deal),
                       kinds=actions.PARTNER_KINDS, form=request.form)


@blueprint.route("/registrations/new", methods=["GET", "POST"])
@portal_login_required
def new_registration() -> Response | tuple[str, int]:
    """Register a deal; a conflict is told, never with whom."""
    env = _env()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            registration = register_deal(env, request.form.to_dict())
            db.session.commit()
            flash("Registration received." + (" Another deal for this customer is known: your channel manager "
                                              "decides." if registration.has_conflict else ""),
                  "warning" if registration.has_conflict else "success")
            return redirect("/partner/", code=303)
        except RecordError as error:
            db.session.rollback()
            errors = getattr(error, "errors", {"customer_name": [str(error)]})
    return render_page("partners/portal/register.html", 422 if errors else 200, errors=errors, form=request.form,
                       fields=PARTNER_FIELDS)


@blueprint.route("/funds/new", methods=["GET", "POST"])
@portal_login_required
def new_fund_request() -> Response | tuple[str, int]:
    """Ask for marketing funds for an activity."""
    env = _env()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            funds.request_funds(env, request.form.to_dict())
            db.session.commit()
            flash("Request received: your channel manager decides.", "success")
            return redirect("/partner/", code=303)
        except RecordError as error:
            db.session.rollback()
            errors = getattr(error, "errors", {"activity": [str(error)]})
    return render_page("partners/portal/fund_request.html", 422 if errors else 200, errors=errors, form=request.form)


@blueprint.route("/funds/<int:request_id>/claim", methods=["GET", "POST"])
@portal_login_required
def claim(request_id: int) -> Response | tuple[str, int]:
    """Claim what was spent on an approved request, with proof."""
    env = _env()
    fund_request = env.records.get("fund_requests", request_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            funds.claim_funds(env, request_id, request.form.to_dict())
            db.session.commit()
            flash("Claim received.", "success")
            return redirect("/partner/", code=303)
        except RecordError as error:
            db.session.rollback()
            if isinstance(error, (NotFound, AccessDenied)):
                raise
            errors = getattr(error, "errors", {"amount": [str(error)]})
    return render_page("partners/portal/claim.html", 422 if errors else 200, errors=errors, form=request.form,
                       fund_request=fund_request)


@blueprint.post("/offers/<int:offer_id>/<answer>")
@portal_login_required
def answer_offer(offer_id: int, answer: str) -> Response:
    """Accept or decline a lead offered."""
    env = _env()
    if answer not in ("accept", "decline"):
        abort(404)
    answered = commit_or_flash(lambda: offers.accept(env, offer_id) if answer == "accept"
                               else offers.decline(env, offer_id, request.form.get("reason")), pass_refusals=True)
    if answered is not None:
        flash("Lead accepted: it is yours." if answer == "accept" else "Lead declined.", "success")
    return redirect("/partner/", code=303)


@blueprint.get("/material")
@portal_login_required
def material() -> tuple[str, int]:
    """Marketing material, from every addon answering `partner_material`."""
    env = _env()
    return render_page("partners/portal/material.html", items=gather(env))


@blueprint.get("/material/<key>")
@portal_login_required
def material_item(key: str) -> Response | tuple[str, int]:
    """One piece of material, shown or downloaded (`?download=1`)."""
    env = _env()
    item = next((found for found in gather(env) if found.key == key), None)
    if item is None:
        raise NotFound(f"no material {key!r}")
    if request.args.get("download"):
        return Response(item.body, mimetype="text/plain", headers={
            "Content-Disposition": f'attachment; filename="{key.replace(":", "-")}.txt"'})
    return render_page("partners/portal/material_item.html", item=item)

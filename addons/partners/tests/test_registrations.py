"""Deal registration: conflicts, the channel manager's decision, audit, mail, expiry
(Checks that must hold, first bullet)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.jobs.worker import Worker
from core.records.audit import AuditEntry
from core.records.errors import AccessDenied, ValidationFailed

from addons.partners.models import DealRegistration
from addons.partners.registrations.decisions import approve, expire_lapsed, reject
from addons.partners.registrations.submission import register_deal
from addons.partners.tests.conftest import stage_id

pytestmark = pytest.mark.spectrum_addons("partners")

ACME = {"customer_name": "Acme Industries", "customer_domain": "https://www.acme-industries.com/",
        "contact_name": "Jane Buyer", "contact_email": "jane@acme-industries.com", "product_interest": "CRM suite",
        "amount": "10000", "expected_close": "2026-03-31"}


def _drain(app):
    worker = Worker(app, poll_seconds=0)
    while worker.run_once():
        pass


def _fresh(registration_id):
    return db.session.get(DealRegistration, registration_id, populate_existing=True)


def test_the_second_partner_registering_the_same_customer_sees_a_conflict(channel, api_as):
    first = register_deal(Env.for_user(channel.gold_user), ACME)
    db.session.commit()
    assert (first.customer_domain, first.has_conflict) == ("acme-industries.com", False)
    second = register_deal(Env.for_user(channel.silver_user), {
        **ACME, "customer_name": "ACME Industries Inc.", "customer_domain": None, "contact_email": None})
    db.session.commit()
    mine = api_as(channel.silver_user).get(f"/api/v1/deal_registrations/{second.id}").json
    assert mine["has_conflict"] is True and "conflicts" not in mine  # who it conflicts with is not theirs to know
    assert api_as(channel.silver_user).get(f"/api/v1/deal_registrations/{first.id}").status_code == 404

    seen = {row["id"]: row for row in api_as(channel.manager).get("/api/v1/deal_registrations").json["data"]}
    assert set(seen) == {first.id, second.id}
    assert [(c["id"], c["partner"], c["reasons"]) for c in seen[second.id]["conflicts"]] == [
        (first.id, "Alpha Resellers", ["similar name Acme Industries"])]
    assert [c["id"] for c in seen[first.id]["conflicts"]] == [second.id] and seen[first.id]["has_conflict"]


def test_a_registration_conflicts_with_an_open_deal_of_the_customer_by_a_contacts_email(channel):
    records = Env.system().records
    account = records.create("accounts", {"name": "Globex"})
    records.create("contacts", {"first_name": "Hank", "last_name": "Scorpio", "email": "hank@globex.io",
                                "account_id": account.id})
    deal = records.create("opportunities", {"name": "Globex renewal", "account_id": account.id, "amount": "500",
                                            "owner_id": channel.seller.id})
    db.session.commit()
    registration = register_deal(Env.for_user(channel.gold_user), {
        "customer_name": "Cypress Creek Holdings", "contact_email": "Hank@Globex.io"})
    db.session.commit()
    assert [(c["kind"], c["id"], c["reasons"]) for c in _fresh(registration.id).conflicts] == [
        ("opportunity", deal.id, ["same domain globex.io", "same contact hank@globex.io"])]


def test_an_unrelated_registration_has_no_conflict(channel):
    register_deal(Env.for_user(channel.gold_user), ACME)
    other = register_deal(Env.for_user(channel.silver_user), {"customer_name": "Initech", "amount": "100"})
    db.session.commit()
    assert (_fresh(other.id).has_conflict, _fresh(other.id).conflicts) == (False, None)


def test_approving_one_makes_the_partners_protected_deal_flags_the_other_and_mails_the_partner(
        app, channel, outbox, clock):
    first = register_deal(Env.for_user(channel.gold_user), ACME)
    second = register_deal(Env.for_user(channel.silver_user), {**ACME, "customer_name": "Acme Industries"})
    db.session.commit()
    approve(Env.for_user(channel.manager), first, {"reason": "First to register"})
    db.session.commit()
    approved, flagged = _fresh(first.id), _fresh(second.id)
    assert (approved.status, approved.decided_by, flagged.status, flagged.flagged) == (
        "approved", channel.manager.id, "submitted", True)
    deal = approved.opportunity
    assert (deal.partner_id, deal.amount, deal.account.name, deal.contact.email) == (
        channel.gold.id, Decimal("10000.00"), "Acme Industries", "jane@acme-industries.com")
    assert approved.protected_until == deal.partner_protected_until == clock.now().date() + timedelta(days=90)
    assert deal.owner_id == channel.manager.id
    audited = set(db.session.scalars(select(AuditEntry.field).where(
        AuditEntry.model == "deal_registrations", AuditEntry.record_id == first.id,
        AuditEntry.user_id == channel.manager.id)))
    assert {"status", "decided_by", "opportunity_id", "protected_until"} <= audited

    _drain(app)
    [mail] = outbox.messages
    assert mail.rcpt_tos == ["deals@alpha.example"]
    assert mail.message["Subject"] == "Deal registration approved: Acme Industries"
    assert "protected until 2026-04-05" in mail.message.get_body(("plain",)).get_content()
    # The partner now works the deal: it is theirs to read, not the other partner's.
    assert Env.for_user(channel.gold_user).records.get("opportunities", deal.id).name.startswith("Acme")
    with pytest.raises(ValidationFailed, match="approved already"):
        approve(Env.for_user(channel.manager), first, {})


def test_rejecting_needs_a_reason_given_to_the_partner(app, channel, outbox, api_as):
    registration = register_deal(Env.for_user(channel.silver_user), ACME)
    db.session.commit()
    api = api_as(channel.manager)
    refused = api.post(f"/api/v1/deal_registrations/{registration.id}/reject", json={})
    assert refused.status_code == 422 and "reason" in refused.json["errors"]
    done = api.post(f"/api/v1/deal_registrations/{registration.id}/reject", json={"reason": "Existing customer"})
    assert done.status_code == 200 and done.json["status"] == "rejected"
    _drain(app)
    [mail] = outbox.messages
    assert mail.rcpt_tos == ["deals@beta.example"]
    assert "Existing customer" in mail.message.get_body(("plain",)).get_content()


def test_partners_neither_decide_nor_register_for_someone_else(channel, api_as, make_user):
    registration = register_deal(Env.for_user(channel.silver_user), {**ACME, "partner_id": channel.gold.id})
    db.session.commit()
    assert registration.partner_id == channel.silver.id
    answer = api_as(channel.silver_user).post(f"/api/v1/deal_registrations/{registration.id}/approve", json={})
    assert answer.status_code in (403, 404) and _fresh(registration.id).status == "submitted"
    with pytest.raises(AccessDenied):
        register_deal(Env.for_user(channel.seller), ACME)
    with pytest.raises(ValidationFailed) as bad:
        register_deal(Env.for_user(channel.gold_user), {"customer_name": "", "amount": "lots"})
    assert set(bad.value.errors) == {"customer_name", "amount"}


def test_a_registration_expires_when_its_protection_lapses_with_the_deal_still_open(channel, clock):
    kept = register_deal(Env.for_user(channel.gold_user), ACME)
    won = register_deal(Env.for_user(channel.silver_user), {"customer_name": "Umbrella", "amount": "700"})
    db.session.commit()
    for registration in (kept, won):
        approve(Env.for_user(channel.manager), registration, {})
    db.session.commit()
    Env.system().records.update("opportunities", _fresh(won.id).opportunity_id, {"stage_id": stage_id("won")})
    db.session.commit()
    clock.set(clock.now() + timedelta(days=89))
    assert expire_lapsed(Env.system()) == 0
    clock.set(clock.now() + timedelta(days=2))
    assert expire_lapsed(Env.system()) == 1
    db.session.commit()
    lapsed = _fresh(kept.id)
    assert (lapsed.status, lapsed.opportunity.partner_protected_until, _fresh(won.id).status) == (
        "expired", None, "approved")

"""Demo data: a society of three levels and 500 members in every status over two years,
online payments, households, gifts, volunteering and directory entries, with each
membership's status that of today."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from core.db import db
from core.env import Env

from addons.contacts.models import Contact
from addons.membership.days import today
from addons.membership.demo import MEMBERS
from addons.membership.models import (DirectoryEntry, Donation, Household, Membership, MembershipCheckout,
                                      MembershipType, Pledge, Receipt, ReceiptCounter, RecurringDonation,
                                      SoftCredit, VolunteerShift, VolunteerSignup)
from addons.membership.periods import status_on

pytestmark = [pytest.mark.slow, pytest.mark.spectrum_addons("membership", demo=True)]


def test_a_society_of_500_members_in_every_status_as_of_today(app: Any) -> None:
    day = today(Env.system())
    memberships = db.session.scalars(select(Membership)).all()
    assert len(memberships) == MEMBERS
    assert set(db.session.scalars(select(MembershipType.name))) == {"Individual", "Family", "Patron"}
    statuses = Counter(m.status for m in memberships)
    assert {"pending", "new", "current", "grace", "expired", "cancelled"} <= set(statuses), statuses
    assert all(m.status == status_on(m.membership_type.terms(), m.standing(), day) for m in memberships)
    assert min(m.join_date for m in memberships) >= day - timedelta(days=731)
    owners = set(db.session.scalars(select(Contact.owner_id).where(Contact.id.in_([m.contact_id for m in memberships]))))
    assert len(owners) == 2 and None not in owners


def test_gifts_households_volunteering_and_the_directory(app: Any) -> None:
    day = today(Env.system())
    received = db.session.scalars(select(Donation.received_on)).all()
    assert len(received) > 300 and min(received) < day - timedelta(days=365)
    assert db.session.scalar(select(func.count()).select_from(Household)) == 60
    in_households = db.session.scalar(select(func.count()).select_from(Contact).where(Contact.household_id.isnot(None)))
    assert in_households > 100
    assert db.session.scalar(select(func.count()).select_from(VolunteerShift)) == 30
    statuses = set(db.session.scalars(select(VolunteerSignup.status)))
    assert statuses == {"signed_up", "attended", "no_show"}
    assert db.session.scalar(select(func.count()).select_from(DirectoryEntry).where(DirectoryEntry.listed)) > 50


def test_online_payments_paid_and_awaited(app: Any) -> None:
    checkouts = db.session.scalars(select(MembershipCheckout)).all()
    statuses = Counter(checkout.status for checkout in checkouts)
    assert statuses["paid"] > 20 and statuses["open"] + statuses["expired"] > 3, statuses
    for checkout in checkouts:
        if checkout.status == "paid":
            assert checkout.payment.reference == checkout.reference
            assert checkout.payment.membership_id == checkout.membership_id
        else:
            assert checkout.membership.status == "pending", "an awaited payment is a new member's first"


def test_recurring_donors_pledges_soft_credits_and_receipts(app: Any) -> None:
    recurring = db.session.scalars(select(RecurringDonation)).all()
    assert len(recurring) == 20 and all(gift.next_due > today(Env.system()) for gift in recurring)
    statuses = Counter(db.session.scalars(select(Donation.status).where(Donation.recurring_id.isnot(None))))
    assert statuses["received"] > 100 and statuses["missed"] >= 1, statuses
    pledges = db.session.scalars(select(Pledge)).all()
    assert len(pledges) == 13 and any(0 < pledge.paid < pledge.amount for pledge in pledges)
    assert db.session.scalar(select(func.count()).select_from(SoftCredit)) > 10
    receipts = db.session.scalars(select(Receipt).order_by(Receipt.number)).all()
    assert [receipt.number for receipt in receipts] == list(range(1, len(receipts) + 1)) and len(receipts) > 20
    assert Counter(receipt.status for receipt in receipts)["void"] == 1
    counter = db.session.scalars(select(ReceiptCounter)).one()
    assert counter.last_number == len(receipts), "the next receipt takes the next number"

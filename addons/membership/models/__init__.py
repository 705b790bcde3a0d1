"""The membership addon's models: membership types (levels), memberships, their payments,
online payments (checkouts) and renewal reminders; funds, donations, soft credits, pledges and recurring donations;
tax receipts and their counter;
member directory entries; households; volunteer roles, shifts and sign-ups."""
from __future__ import annotations

from addons.membership.models.checkouts import MembershipCheckout
from addons.membership.models.directory import DirectoryEntry
from addons.membership.models.giving import Donation, Fund, Pledge, RecurringDonation, SoftCredit
from addons.membership.models.households import Household
from addons.membership.models.memberships import Membership
from addons.membership.models.payments import MembershipPayment
from addons.membership.models.receipts import Receipt, ReceiptCounter
from addons.membership.models.reminders import MembershipReminder
from addons.membership.models.types import MembershipType
from addons.membership.models.volunteers import VolunteerRole, VolunteerShift, VolunteerSignup

__all__ = ["MODELS", "MembershipType", "Membership", "MembershipPayment", "MembershipCheckout", "MembershipReminder",
           "Fund", "Donation", "SoftCredit", "Pledge", "RecurringDonation", "Receipt",
           "ReceiptCounter", "DirectoryEntry", "Household", "VolunteerRole", "VolunteerShift",
           "VolunteerSignup"]

MODELS = (MembershipType, Membership, MembershipPayment, MembershipCheckout, MembershipReminder, Fund, Pledge,
          RecurringDonation, Donation, SoftCredit, ReceiptCounter, Receipt, DirectoryEntry, Household,
          VolunteerRole, VolunteerShift, VolunteerSignup)

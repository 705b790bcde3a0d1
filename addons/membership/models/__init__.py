"""The membership addon's models: membership types (levels), memberships, their payments and
renewal reminders."""
from __future__ import annotations

from addons.membership.models.memberships import Membership
from addons.membership.models.payments import MembershipPayment
from addons.membership.models.reminders import MembershipReminder
from addons.membership.models.types import MembershipType

__all__ = ["MODELS", "MembershipType", "Membership", "MembershipPayment", "MembershipReminder"]

MODELS = (MembershipType, Membership, MembershipPayment, MembershipReminder)

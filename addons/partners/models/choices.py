"""Statuses and kinds of the partners addon's records."""
from __future__ import annotations

__all__ = ["REGISTRATION_STATUSES", "OFFER_STATUSES", "COMMISSION_STATUSES", "FUND_STATUSES", "OPEN_OFFER",
           "REVIEW_PROPOSALS"]

REGISTRATION_STATUSES = [("submitted", "Submitted"), ("approved", "Approved"), ("rejected", "Rejected"),
                         ("expired", "Expired")]
#: An offer waiting for the partner's answer.
OPEN_OFFER = "offered"
OFFER_STATUSES = [(OPEN_OFFER, "Offered"), ("accepted", "Accepted"), ("declined", "Declined"),
                  ("expired", "Expired (no answer in time)")]
COMMISSION_STATUSES = [("pending", "Pending"), ("approved", "Approved"), ("paid", "Paid"), ("reversed", "Reversed")]
FUND_STATUSES = [("requested", "Requested"), ("approved", "Approved"), ("rejected", "Rejected"),
                 ("claimed", "Claimed"), ("paid", "Paid")]
REVIEW_PROPOSALS = [("promote", "Promotion"), ("demote", "Demotion")]

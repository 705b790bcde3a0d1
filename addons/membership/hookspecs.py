"""Hooks the membership addon publishes for the addons that come after it.

They are added to the plugin manager when membership is loaded (its `app_ready`). An
implementer (a payment provider's integration) does not import membership at load time
and marks its implementation optional, so that it loads where membership is absent (and
is then never called)::

    from core import hookimpl

    @hookimpl(optionalhook=True)
    def membership_payment_processors():
        from addons.membership.checkout import PaymentProcessor  # only called when membership is loaded
        return [PaymentProcessor("stripe", "Pay by card", begin=..., verify=...)]
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from addons.membership.checkout import PaymentProcessor

hookspec = pluggy.HookspecMarker("spectrum")


@hookspec
def membership_payment_processors() -> list[PaymentProcessor] | None:
    """Ways for members to pay their fee online from the members' portal.

    Called when the portal shows a membership and when a processor's notification
    arrives. Returns `PaymentProcessor`s, each with a key unique across addons: how to
    send the member to the processor's payment page for an open checkout, and how to
    prove and read the processor's notification of a payment (which settles the checkout
    and records the membership's payment). `None` means none. The bank transfer, which
    an officer settles, is always offered after them.
    """

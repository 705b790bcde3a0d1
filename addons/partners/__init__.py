"""Partners: resellers and agencies as partner organisations, their deal registrations,
lead offers, commissions and marketing funds, and the partner portal."""
from core.addons.manifest import Addon

manifest = Addon(
    name="partners",
    version="1.0.0",
    summary="Partner tiers and territories, deal registration with conflict detection, lead distribution, "
            "commissions, market development funds and the partner portal",
    category="Sales",
    depends=("sales",),
    application=True,
)

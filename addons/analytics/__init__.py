"""Analytics: customer transactions from every addon, and the figures computed from them
(RFM scores and segments on contacts)."""
from core.addons.manifest import Addon

manifest = Addon(
    name="analytics",
    version="1.2.0",
    summary="Customer transactions collected from every addon, RFM scores and segments on contacts",
    category="Analytics",
    depends=("contacts",),
    application=True,
)

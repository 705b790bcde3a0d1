"""Service desk: tickets, SLAs on business calendars, routing, knowledge base and customer portal."""
from core.addons.manifest import Addon

manifest = Addon(
    name="service_desk",
    version="1.0.0",
    summary="Tickets with SLAs in business time, email in and out, routing, knowledge base and customer portal",
    category="Customer service",
    depends=("contacts",),
    application=True,
)

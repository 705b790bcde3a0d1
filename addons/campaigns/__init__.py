"""Campaigns: segments of contacts, multi-channel campaigns, journeys, tracking and ROI."""
from core.addons.manifest import Addon

manifest = Addon(
    name="campaigns",
    version="1.0.0",
    summary="Segments of contacts computed in SQL, campaigns over email, SMS and call lists, journeys and their ROI",
    category="Marketing",
    depends=("contacts",),
    application=True,
)

"""Sales: leads, opportunities, the pipeline, activities, scoring and forecasting."""
from core.addons.manifest import Addon

manifest = Addon(
    name="sales",
    version="1.3.0",
    summary="Leads, opportunities and pipeline, activities, lead assignment and scoring, forecasts",
    category="Sales",
    depends=("contacts",),
    application=True,
)

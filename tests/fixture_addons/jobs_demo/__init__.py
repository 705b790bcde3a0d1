"""A fixture addon for the runtime tests: jobs of every kind, an inbound mail handler and
an addon event offered to webhooks."""
from core.addons.manifest import Addon

manifest = Addon(name="jobs_demo", version="1.0.0", summary="Jobs, mail and webhook fixtures of the runtime tests",
                 depends=("contacts",))

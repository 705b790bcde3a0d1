"""A fixture addon declaring a task, a sweep, a cron job and a flaky task for the jobs tests."""
from core.addons.manifest import Addon

manifest = Addon(name="jobs_demo", version="1.0.0", summary="Jobs the jobs tests run", depends=("contacts",))

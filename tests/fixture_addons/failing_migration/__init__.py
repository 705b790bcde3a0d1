"""Its migration creates a table and then fails: installing it (and widgets with it) must change nothing."""
from core import Addon

manifest = Addon(
    name="failing_migration",
    version="1.0.0",
    summary="A migration that fails halfway",
    category="Testing",
    depends=("widgets",),
)

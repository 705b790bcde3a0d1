"""The limits of user templates, from the settings `template_max_size` and
`template_max_milliseconds`."""
from __future__ import annotations

from core.platform import platform
from core.templating.sandbox import TemplateLimits

__all__ = ["template_limits"]


def template_limits() -> TemplateLimits:
    """The current app's limits on user templates."""
    settings = platform().settings
    return TemplateLimits(int(settings["template_max_size"]), int(settings["template_max_milliseconds"]) / 1000)

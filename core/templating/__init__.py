"""Templates written by users (mail templates, canned responses, campaign messages):
rendered in one sandbox over read-only views of records, with bounded size and time."""
from __future__ import annotations

from core.templating.sandbox import TemplateLimits, TemplateRefused, check_user_template, render_user_template
from core.templating.views import ReadOnlyView, RecordView, plain_json

__all__ = ["TemplateLimits", "TemplateRefused", "check_user_template", "render_user_template", "ReadOnlyView",
           "RecordView", "plain_json"]

"""The global search page, and its results as one types in the header's search box."""
from __future__ import annotations

from flask import request

from core.records.global_search import recent_records, search_everywhere
from core.web.blueprint import render_page, web
from core.web.security import login_required, web_env

__all__ = ["global_search"]

#: Shorter terms match too much to be useful.
MIN_TERM = 2
MAX_TERM = 200


@web.route("/search")
@login_required
def global_search() -> tuple[str, int]:
    """Records of every model the user works with matching `q`, grouped by model; with an
    empty box, the records the user changed last."""
    env = web_env()
    term = " ".join((request.args.get("q") or "").split())[:MAX_TERM]
    groups = search_everywhere(env, term) if len(term) >= MIN_TERM else []
    recent = recent_records(env) if not term else []
    template = "partials/search_results.html" if request.headers.get("HX-Request") == "true" else "search.html"
    return render_page(template, q=term, groups=groups, recent=recent, too_short=0 < len(term) < MIN_TERM,
                       labels={resource: env.records.meta(resource).label for resource, _ in recent})

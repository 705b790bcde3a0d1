"""The import page of a grouped import (`core.declarations.GroupedImport`): `/import/<name>`
takes a CSV file and the import's options (prefilled from the query string, as a record
page's link sets them), runs the kernel's grouped import as the signed-in user and shows
its summary and every bad line by number."""
from __future__ import annotations

import io
from typing import Any

from flask import abort, request
from flask_babel import gettext

from core.db import db
from core.declarations import GroupedImport
from core.records.csv_groups import GroupReport, import_groups
from core.records.errors import RecordError
from core.request_limits import accepts_uploads
from core.web.blueprint import render_page, web
from core.web.security import login_required, web_env

__all__ = ["import_form", "import_file", "grouped_imports_of"]


def grouped_imports_of(env: Any, resource: str) -> list[GroupedImport]:
    """The grouped imports into `resource` the user of `env` may run (its list page links them)."""
    return [grouped for grouped in env.platform.grouped_imports.values()
            if grouped.model == resource and env.policy.can(resource, "create")]


def _importer(name: str) -> GroupedImport:
    env = web_env()
    grouped = env.platform.grouped_imports.get(name)
    if grouped is None:
        abort(404)
    if not env.policy.can(grouped.model, "create"):
        abort(403)
    return grouped


@web.get("/import/<name>")
@login_required
def import_form(name: str) -> tuple[str, int]:
    """The file input and the import's options."""
    grouped = _importer(name)
    options = {option: request.args.get(option, "") for option in grouped.options}
    return render_page("import.html", importer=grouped, options=options, report=None, problem=None)


@web.post("/import/<name>")
@login_required
@accepts_uploads
def import_file(name: str) -> tuple[str, int]:
    """Run the import on the posted file: the summary, and the bad lines (422 when any)."""
    grouped = _importer(name)
    options = {option: request.form.get(option, "") for option in grouped.options}
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_page("import.html", 422, importer=grouped, options=options, report=None,
                           problem=gettext("Choose a CSV file."))
    # Read as it is imported, a batch of groups at a time: memory does not grow with the file.
    stream = io.TextIOWrapper(upload.stream, encoding="utf-8-sig", newline="")
    try:
        report: GroupReport = import_groups(web_env(), grouped, stream, options=options,
                                            dry_run=request.form.get("dry_run") == "on")
    except (RecordError, UnicodeDecodeError) as error:
        db.session.rollback()
        problem = gettext("The file is not UTF-8 text: export it as CSV in UTF-8.") \
            if isinstance(error, UnicodeDecodeError) else str(error)
        return render_page("import.html", 422, importer=grouped, options=options, report=None, problem=problem)
    return render_page("import.html", 422 if report.errors else 200, importer=grouped, options=options,
                       report=report, problem=None)

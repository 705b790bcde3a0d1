"""Administration pages: addons (with the consequences shown before confirming) and the audit trail."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import abort, current_app, flash, redirect, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.addons.data import DataLoadError
from core.addons.graph import DependencyError, resolve
from core.addons.installer import AddonManager, InstallError
from core.addons.loader import RouteConflict
from core.addons.manifest import version_tuple
from core.db import db
from core.models.registry import ModelConflict
from core.plugins import AddonLoadError
from core.records.audit import AuditEntry
from core.web.blueprint import render_page, web
from core.web.rendering import user_zone
from core.web.security import login_required, require_admin

__all__ = ["addons_page", "addon_operation", "audit_page"]

_REFUSALS = (DependencyError, InstallError, ModelConflict, RouteConflict, AddonLoadError, DataLoadError)


@web.get("/admin/addons")
@login_required
def addons_page() -> tuple[str, int]:
    """Every available addon with its state and the operations it allows."""
    require_admin()
    manager = AddonManager(current_app)
    installed = manager.installed()
    rows = []
    for name, manifest in sorted(manager.catalog.addons.items()):
        row = installed.get(name)
        rows.append({"manifest": manifest, "installed": row,
                     "upgrade": bool(row and manifest.version_tuple > version_tuple(row.version))})
    return render_page("admin/addons.html", rows=rows, broken=manager.catalog.broken)


@web.route("/admin/addons/<name>/<operation>", methods=["GET", "POST"])
@login_required
def addon_operation(name: str, operation: str) -> Response | tuple[str, int]:
    """GET shows what will happen (dependencies pulled in, dependants and data removed);
    POST carries it out."""
    require_admin()
    if operation not in ("install", "upgrade", "uninstall"):
        abort(404)
    manager = AddonManager(current_app)
    installed = manager.installed()
    cascade = request.values.get("cascade") == "1"
    try:
        if operation == "install":
            plan_lines = [f"will install, in order: {', '.join(n for n in resolve([name], manager.catalog.addons) if n not in installed)}"]
        elif operation == "upgrade":
            plan_lines = [f"will run new migrations and reload the data of {name}"]
        else:
            plan_lines = manager.plan_uninstall([name], cascade=cascade).describe()
    except _REFUSALS as error:
        return render_page("admin/addon_plan.html", 409, name=name, operation=operation, error=str(error),
                           plan=[], cascade=cascade)
    if request.method == "GET":
        return render_page("admin/addon_plan.html", name=name, operation=operation, plan=plan_lines, error=None,
                           cascade=cascade)
    lines: list[str] = []
    manager.echo = lines.append
    try:
        if operation == "install":
            manager.install([name])
        elif operation == "upgrade":
            manager.upgrade([name])
        else:
            manager.uninstall(manager.plan_uninstall([name], cascade=cascade))
    except _REFUSALS as error:
        return render_page("admin/addon_plan.html", 409, name=name, operation=operation, error=str(error),
                           plan=plan_lines, cascade=cascade)
    flash(f"{operation} of {name} done. " + " ".join(lines[-3:]), "success")
    return redirect("/admin/addons", code=303)


@web.get("/admin/audit")
@login_required
def audit_page() -> tuple[str, int]:
    """Search the audit trail by model, record, user, field and date."""
    env = require_admin()
    zone = user_zone(env)
    statement = select(AuditEntry)
    args = request.args
    if args.get("model"):
        statement = statement.where(AuditEntry.model == args["model"])
    if args.get("record_id", "").isdigit():
        statement = statement.where(AuditEntry.record_id == int(args["record_id"]))
    if args.get("user_id", "").isdigit():
        statement = statement.where(AuditEntry.user_id == int(args["user_id"]))
    if args.get("field"):
        statement = statement.where(AuditEntry.field == args["field"])
    if args.get("action"):
        statement = statement.where(AuditEntry.action == args["action"])
    for key, comparison in (("since", AuditEntry.at.__ge__), ("until", AuditEntry.at.__lt__)):
        if args.get(key):
            try:
                day = datetime.combine(datetime.fromisoformat(args[key]).date(), time(), tzinfo=zone)
            except ValueError:
                flash(f"{key}: not a date (YYYY-MM-DD)", "error")
                continue
            statement = statement.where(comparison(day + (timedelta(days=1) if key == "until" else timedelta())))
    entries = db.session.scalars(statement.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(200)).all()
    return render_page("admin/audit.html", entries=entries, args=args, zone=zone,
                       models=sorted(env.platform.models))

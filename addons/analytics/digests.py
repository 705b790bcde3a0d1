"""KPI digests: each subscription's chosen KPIs over the week or month just ended, computed
as its user (their record rules apply) and mailed to them in their language, never twice
for one period.

A subscription is claimed for a period by one conditional UPDATE (its `last_period` set
to the period's key unless it already names it) in the same transaction that logs the
message, so two workers, or a run repeated, send it once."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import or_, select, update

from core.auth.models import User
from core.db import db
from core.declarations import Job
from core.env import Env
from core.i18n import format_day, language_of, translate
from core.jobs import JobContext
from core.mail.outbound import send_mail

from addons.analytics.kpi_display import show_change, show_value
from addons.analytics.kpis import Figures, kpi_figures
from addons.analytics.models.kpis import KpiSubscription
from addons.analytics.periods import Period, period_of

__all__ = ["due_period", "send_digests", "digest_text", "digest_jobs", "DIGEST_JOB"]

DIGEST_JOB = "analytics.send_kpi_digests"
_KIND = {"weekly": "week", "monthly": "month"}


def due_period(frequency: str, today: date) -> Period:
    """The last whole period a `weekly` or `monthly` digest covers on `today`."""
    kind = _KIND[frequency]
    return period_of(kind, period_of(kind, today).start - timedelta(days=1))


def digest_text(figures: Figures, currency: str) -> str:
    """The digest's body: per KPI its value, target and change from the period before, in
    the language being written in (`core.i18n.language_of`)."""
    period = figures.periods[-1]
    lines = [gettext("Your KPIs for %(period)s (%(start)s to %(end)s):", period=period.key,
                     start=format_day(period.start), end=format_day(period.end)), ""]
    for figure in figures.figures:
        unit = figure.kpi.unit
        line = gettext("- %(kpi)s: %(value)s", kpi=translate(figure.kpi.label),
                       value=show_value(figure.current, unit, currency))
        if figure.target is not None:
            target = show_value(figure.target, unit, currency)
            line += " " + (gettext("(target %(target)s: met)", target=target) if figure.met
                           else gettext("(target %(target)s: not met)", target=target))
        line += ", " + gettext("%(change)s from %(period)s", change=show_change(figure.change, figure.previous, unit),
                               period=figures.periods[0].key)
        lines.append(line)
    if not figures.figures:
        lines.append(gettext("None of your KPIs could be computed over the records you may read."))
    return "\n".join(lines) + "\n"


def _claim(subscription_id: int, key: str, env: Env) -> bool:
    table = KpiSubscription.__table__
    claimed = db.session.execute(
        update(table).where(table.c.id == subscription_id,
                            or_(table.c.last_period.is_(None), table.c.last_period != key))
        .values(last_period=key, last_sent_at=env.now(), version=table.c.version + 1))
    return bool(claimed.rowcount)


def send_digests(env: Env, today: date) -> dict[str, int]:
    """Mail every subscription whose period just ended and was not sent yet; one commit
    per digest. Returns how many were sent and how many were already sent."""
    currency = str(env.platform.settings["company_currency"])
    sent = already = 0
    rows = db.session.execute(select(KpiSubscription.id, KpiSubscription.frequency, KpiSubscription.kpis,
                                     KpiSubscription.last_period, User)
                              .join(User, User.id == KpiSubscription.user_id)
                              .where(User.active.is_(True), User.email.is_not(None))
                              .order_by(KpiSubscription.id)).all()
    for subscription_id, frequency, names, last_period, user in rows:
        period = due_period(frequency, today)
        if last_period == period.key or not _claim(subscription_id, period.key, env):
            already += 1
            continue
        reader = Env.for_user(user)
        figures = kpi_figures(reader, period.kind, period.end, count=2, names=list(names))
        with language_of(user):
            subject, body = gettext("KPI digest: %(period)s", period=period.key), digest_text(figures, currency)
        send_mail(reader, user.email, subject="{{ values.subject }}", text="{{ values.body }}",
                  values={"subject": subject, "body": body},
                  record=("analytics_kpi_subscriptions", subscription_id), track=False)
        db.session.commit()
        sent += 1
    return {"sent": sent, "already_sent": already}


def _job(ctx: JobContext) -> dict[str, Any]:
    return send_digests(ctx.env, ctx.now().date())


def digest_jobs() -> list[Job]:
    """The digests, looked for every hour (a digest is due once its period has ended)."""
    return [Job(DIGEST_JOB, _job, every=timedelta(hours=1), timeout=timedelta(hours=1),
                description="Mail each KPI digest for the week or month just ended, once.")]

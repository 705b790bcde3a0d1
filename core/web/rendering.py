"""Showing field values to people: labels of choices, names of linked records, local times."""
from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from flask_babel import gettext
from markupsafe import Markup, escape

from core.db import db
from core.env import Env
from core.i18n import DEFAULT_LOCALE, current_locale, format_day, format_moment, format_number, translate
from core.models.read_time import read_time_fields
from core.money import DEFAULT_PLACES, currency_places, quantum
from core.models.meta import FieldMeta, ModelMeta
from core.zones import zone_or_none

__all__ = ["user_zone", "DisplayContext", "format_value", "local_input_value"]


def user_zone(env: Env) -> ZoneInfo:
    """The user's timezone, else the platform's."""
    name = (env.user.timezone if env.user is not None else None) or env.platform.settings["timezone"]
    return zone_or_none(name) or ZoneInfo("UTC")


class DisplayContext:
    """Names of linked records for a page of records, fetched in one query per relation."""

    def __init__(self, env: Env, meta: ModelMeta, records: Iterable[Any], fields: Iterable[str]) -> None:
        self.env = env
        self.zone = user_zone(env)
        self.names: dict[tuple[str, int], str] = {}
        self._choice_labels: dict[tuple[str, Any], str] = {}
        records = list(records)
        for name in fields:
            field = meta.fields.get(name)
            if field is None or field.kind != "many2one" or not field.relation:
                continue
            target = env.platform.models.by_table(field.relation)
            ids = {getattr(r, name) for r in records if getattr(r, name) is not None}
            if not target or not ids:
                continue
            model = env.platform.models.get(target)
            if env.policy.can(target, "read"):
                visible = db.session.scalars(env.records.select(target).where(model.id.in_(ids)))
                self.names.update({(field.relation, r.id): r.display_name for r in visible})

    def choice_label(self, field: FieldMeta, value: Any) -> str:
        """The label of choice `value` of `field` in the user's language, translated once
        per page (a board shows the same few choices on every card)."""
        key = (field.name, value)
        if key not in self._choice_labels:
            self._choice_labels[key] = translate(dict(field.choices or ()).get(value, str(value)))
        return self._choice_labels[key]

    def link_target(self, field: FieldMeta) -> str | None:
        """Resource a many2one field links to."""
        return self.env.platform.models.by_table(field.relation or "")

    def value(self, field: FieldMeta, record: Any, with_currency: bool = False) -> Markup | str:
        """The value of `field` on `record` as HTML-safe text (money with its currency's
        decimals, and `with_currency` its code: "30,300.00 EUR")."""
        computed = read_time_fields(type(record)).get(field.name)
        value = computed.value(record, self.env.now()) if computed else getattr(record, field.name, None)
        if field.kind == "money" and value is not None:
            shown = money_display(value, self.money_places(field, record))
            code = self.currency(field, record) if with_currency else None
            return f"{shown} {code}" if code else shown
        return format_value(field, value, self)

    def currency(self, field: FieldMeta, record: Any) -> str | None:
        """The currency code of money field `field` on `record` (its own, else the company's)."""
        if field.currency_field and getattr(record, field.currency_field, None):
            return str(getattr(record, field.currency_field))
        if field.currency_setting:
            return self.env.platform.settings.get(field.currency_setting) or None
        return None

    def money_places(self, field: FieldMeta, record: Any) -> int:
        """How many decimals money field `field` of `record` has (core.money)."""
        if field.currency_field and getattr(record, field.currency_field, None):
            return currency_places(getattr(record, field.currency_field))
        if field.currency_setting:
            return currency_places(self.env.platform.settings.get(field.currency_setting))
        return field.digits[1] if field.digits else DEFAULT_PLACES


def money_display(value: Any, places: int) -> str:
    """An amount as a page shows it: `places` decimals rounded half up, the separators of the
    user's language ("30,300.00", "30 300,00")."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return format_number(amount.quantize(quantum(places), ROUND_HALF_UP), places)


def format_value(field: FieldMeta, value: Any, context: DisplayContext) -> Markup | str:
    """How one value reads on a page."""
    if value is None or value == "" or value == []:
        return ""
    kind = field.kind
    if field.choices:
        return context.choice_label(field, value)
    if kind == "many2one":
        target = context.link_target(field)
        name = context.names.get((field.relation or "", value), f"#{value}")
        # Escaped by hand: Markup.format's escaping formatter costs more than the rest of a
        # board card, which has two or three of these links.
        return Markup(f'<a href="/m/{escape(target)}/{escape(value)}">{escape(name)}</a>') if target else name
    if kind in ("tags", "many2many"):
        labels = [getattr(item, "name", None) or getattr(item, "display_name", str(item)) for item in value]
        return Markup(" ".join(f'<span class="tag">{escape(label)}</span>' for label in labels))
    if kind == "boolean":
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime):
        return format_moment(value, context.zone)
    if isinstance(value, date):
        return format_day(value)
    if kind == "money":
        return money_display(value, field.digits[1] if field.digits else DEFAULT_PLACES)
    if kind == "decimal" and isinstance(value, (Decimal, float, int)):
        return format_number(value, field.digits[1] if field.digits else DEFAULT_PLACES)
    if kind == "email":
        return Markup('<a href="mailto:{0}">{0}</a>').format(value)
    if kind == "url":
        return Markup('<a href="{0}" rel="noopener noreferrer">{0}</a>').format(value)
    if kind == "phone":
        return Markup('<a href="tel:{0}">{0}</a>').format(value)
    if kind == "json":
        import json

        return Markup("<code>{}</code>").format(json.dumps(value))
    return escape(str(value))


def local_input_value(field: FieldMeta, value: Any, zone: ZoneInfo) -> str:
    """The value as an HTML form input expects it (datetime-local in the user's zone)."""
    if value is None or field.kind == "password":
        return ""  # a password is write-only
    if field.kind == "boolean":
        return "true" if value else ""
    if isinstance(value, datetime):
        # English pages use the browser's own date and time inputs (ISO values); the others
        # a text input in the language's form, which the browser's input would not follow.
        if current_locale() == DEFAULT_LOCALE:
            return value.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
        return format_moment(value, zone)
    if isinstance(value, date):
        return value.isoformat() if current_locale() == DEFAULT_LOCALE else format_day(value)
    if field.kind in ("tags",):
        return ", ".join(item.name for item in value)
    if field.kind == "many2many":
        return ", ".join(str(item.id) for item in value)
    if field.kind == "json":
        import json

        return json.dumps(value)
    return str(value)

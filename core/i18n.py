"""Languages of the web UI (Flask-Babel): each user's language, else the browser's, else the
platform's; catalogs from the kernel and from every installed addon (its package's
`translations/` folder, the same `messages` domain); dates, numbers and money written the
way the user's language writes them.

English keeps ISO 8601 dates ("2026-03-31 14:05"), which international teams read alike;
other languages use their own short forms ("31/03/2026 14:05" in French) with a four-digit
year. Field labels, choices and menus are declared in English by the models and translated
when shown (`translate`); `scripts/i18n` extracts them with the rest (see README).
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

from babel import Locale
from babel.dates import format_date, format_datetime, parse_date, parse_time
from babel.numbers import NumberPattern, parse_pattern
from flask import Flask, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, gettext, refresh

__all__ = ["init_i18n", "available_locales", "current_locale", "translate", "format_day", "format_moment",
           "format_number", "date_pattern", "parse_day", "parse_moment", "language_of", "DEFAULT_LOCALE"]

DEFAULT_LOCALE = "en"
_ISO_DAY, _ISO_MOMENT = "yyyy-MM-dd", "yyyy-MM-dd HH:mm"
#: The language `language_of` writes in, outside a request (a job mailing a user).
_written_for: ContextVar[str | None] = ContextVar("spectrum_written_for", default=None)


def _catalog_dirs(app: Flask) -> list[str]:
    """The kernel's translations folder, then each loaded addon's that has one."""
    platform = app.extensions["spectrum"]
    folders = [str(Path(__file__).parent / "translations")]
    for name in platform.loaded:
        addon = platform.catalog.addons.get(name)
        if addon is None or not addon.package:
            continue
        folder = resources.files(addon.package) / "translations"
        if folder.is_dir():
            folders.append(str(folder))
    return folders


def available_locales(app: Flask) -> list[str]:
    """English and every language the kernel's catalogs have."""
    found = {DEFAULT_LOCALE}
    for folder in _catalog_dirs(app)[:1]:
        path = Path(folder)
        if path.is_dir():
            found.update(child.name for child in path.iterdir() if (child / "LC_MESSAGES").is_dir())
    return sorted(found)


def _select_locale() -> str:
    from flask import current_app

    from core.api.auth import current_user

    locales = current_app.config["SPECTRUM_LOCALES"]
    chosen = getattr(current_user(), "locale", None) if has_request_context() else None
    if chosen in locales:
        return str(chosen)
    if has_request_context():
        best = request.accept_languages.best_match(locales)
        if best:
            return best
    default = current_app.extensions["spectrum"].settings.get("default_locale") or DEFAULT_LOCALE
    return default if default in locales else DEFAULT_LOCALE


def init_i18n(app: Flask) -> None:
    """Set Flask-Babel up on `app` (after its platform is loaded): catalogs, language choice,
    `_`/`ngettext` in templates, the `t` filter for declared labels."""
    app.config["SPECTRUM_LOCALES"] = available_locales(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(_catalog_dirs(app))
    Babel(app, locale_selector=_select_locale, default_locale=DEFAULT_LOCALE)
    # The language is chosen anew by each request (Flask-Babel keeps it in the app context,
    # which may outlive one request).
    app.before_request(refresh)
    app.jinja_env.filters["t"] = translate
    app.jinja_env.globals.update(format_day=format_day, format_moment=format_moment, date_pattern=date_pattern,
                                 current_locale=current_locale)


@contextmanager
def language_of(user: Any) -> Iterator[None]:
    """Texts, dates and numbers written for `user` in their language (the platform's
    `default_locale` when they chose none), in a request or not: what a job or an event
    handler writes to someone other than the request's user (a digest, a notification)."""
    from flask import current_app

    locales = current_app.config.get("SPECTRUM_LOCALES", [DEFAULT_LOCALE])
    wanted = getattr(user, "locale", None) or current_app.extensions["spectrum"].settings.get("default_locale")
    locale = wanted if wanted in locales else DEFAULT_LOCALE
    token = _written_for.set(locale)
    try:
        with force_locale(locale):
            yield
    finally:
        _written_for.reset(token)


def current_locale() -> str:
    """The language being written in ("en", "fr"): `language_of`'s, else the request's,
    else (outside a request) English."""
    forced = _written_for.get()
    if forced is not None:
        return forced
    if not has_request_context():
        return DEFAULT_LOCALE
    locale = get_locale()
    return str(locale.language) if locale is not None else DEFAULT_LOCALE


def translate(text: Any) -> str:
    """A label declared in English (a field's, a choice's, a menu's) in the user's language."""
    if not text:
        return "" if text is None else str(text)
    return gettext(str(text)) if has_request_context() or _written_for.get() is not None else str(text)


def _english() -> bool:
    return current_locale() == DEFAULT_LOCALE


def date_pattern() -> str:
    """The CLDR pattern dates are written and typed in, with a four-digit year."""
    if _english():
        return _ISO_DAY
    pattern = str(_locale(current_locale()).date_formats["short"].pattern)
    return pattern if "yyyy" in pattern else pattern.replace("yy", "y").replace("y", "yyyy", 1).replace("yyyyy", "yyyy")


def format_day(value: date) -> str:
    """A date as the user's language writes it."""
    if _english():
        return value.isoformat()[:10]  # _ISO_DAY, without babel's pattern machinery (a board writes hundreds)
    return format_date(value, date_pattern(), locale=current_locale())


def format_moment(value: datetime, zone: Any) -> str:
    """A moment in `zone`, as the user's language writes it (24-hour clock)."""
    pattern = _ISO_MOMENT if _english() else f"{date_pattern()} HH:mm"
    return format_datetime(value, pattern, tzinfo=zone, locale=current_locale())


def format_number(value: Any, places: int) -> str:
    """A number with `places` decimals and the user's language's separators ("30,300.00", "30 300,00")."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return _number_pattern(places).apply(amount, _locale(current_locale()), decimal_quantization=True)


@lru_cache(maxsize=16)
def _number_pattern(places: int) -> NumberPattern:
    # What babel's format_decimal parses on every call; a page writes hundreds of amounts.
    return parse_pattern("#,##0" + ("." + "0" * places if places else ""))


@lru_cache(maxsize=64)
def _locale(code: str) -> Locale:
    return Locale.parse(code)


def parse_day(text: str) -> date:
    """A date typed in ISO form or in the user's language's form; ValueError if neither."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        if _english():
            raise
    try:
        return parse_date(text, locale=current_locale(), format="short")
    except (ValueError, IndexError) as error:
        raise ValueError(text) from error


def parse_moment(text: str) -> datetime:
    """A date and time (naive, in the user's zone) typed in ISO form or the user's form."""
    text = text.strip().replace("T", " ") if "T" in text[:11] else text.strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        if _english():
            raise
    day_text, _, time_text = text.partition(" ")
    try:
        moment_time = parse_time(time_text or "00:00", locale=current_locale(), format="short")
    except (ValueError, IndexError) as error:
        raise ValueError(text) from error
    return datetime.combine(parse_day(day_text), moment_time)

"""The sandbox every template written by users renders in (mail templates, canned
responses, and every addon's messages).

Jinja2's own SandboxedEnvironment refuses attributes starting with an underscore and a
few internals, but lets a template call any public method of any object it reaches.
Here the rule is the other way round, an allowlist: a template reaches its context's
read-only views (core.templating.views), plain values (text, numbers, dates, lists and
dictionaries of them) and a short list of harmless methods of those; nothing else.

A template is also bounded: no value, macro output or rendered text longer than
`max_size` characters, no integer wider than `_MAX_INT_BITS` bits, and no render longer
than `max_seconds` (every pass of a loop and every call counts against a deadline, so a
loop that prints nothing is caught as surely as one that prints).
"""
from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time as clock_time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, Iterable, Iterator, Mapping

from jinja2 import (Environment, StrictUndefined, Template, TemplateError, Undefined, nodes, pass_environment,
                    pass_eval_context)
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError, TemplateRuntimeError
from jinja2.filters import FILTERS, make_attrgetter
from jinja2.nodes import EvalContext
from jinja2.runtime import LoopContext
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Namespace

from core.templating.views import ReadOnlyView

__all__ = ["TemplateLimits", "TemplateRefused", "render_user_template", "check_user_template"]

#: Integers wider than this are refused (2**4096 has 1,234 digits).
_MAX_INT_BITS = 4096
#: Lists and tuples built by repetition (`[0] * n`) stay under this many items.
_MAX_ITEMS = 10_000
#: Rendering errors that a template can cause by itself; anything else (a lost database
#: connection) is not the template's fault and is raised as it is.
_TEMPLATE_FAULTS = (ArithmeticError, LookupError, RecursionError, TypeError, ValueError, MemoryError)

_TEXT_METHODS = frozenset({
    "capitalize", "casefold", "count", "endswith", "find", "isalnum", "isalpha", "isdigit", "islower", "isnumeric",
    "isspace", "istitle", "isupper", "lower", "lstrip", "partition", "rfind", "rpartition", "rsplit", "rstrip",
    "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper",
})
_DATE_ATTRIBUTES = frozenset({
    "year", "month", "day", "hour", "minute", "second", "microsecond", "weekday", "isoweekday", "isoformat",
    "strftime", "date", "time", "days", "seconds", "total_seconds",
})
_MAPPING_METHODS = frozenset({"get", "items", "keys", "values"})
_SEQUENCE_METHODS = frozenset({"count", "index"})
_LOOP_ATTRIBUTES = frozenset({
    "index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0", "previtem",
    "nextitem", "cycle", "changed",
})
#: Jinja2's filters a user template may use; those left out grow a value by a factor the
#: template chooses (center, indent, format, batch, slice), mark text as safe HTML
#: (safe), or print objects' insides (pprint, tojson).
_FILTERS = (
    "abs", "attr", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "filesizeformat", "first",
    "float", "forceescape", "groupby", "int", "items", "last", "length", "list", "lower", "map", "max", "min",
    "random", "reject", "rejectattr", "reverse", "round", "select", "selectattr", "sort", "string", "striptags",
    "title", "trim", "truncate", "unique", "upper", "urlencode", "urlize", "wordcount", "wordwrap", "xmlattr",
)


class TemplateRefused(SecurityError):
    """A template went beyond what the sandbox allows (a limit, a forbidden value)."""


@dataclass(frozen=True)
class TemplateLimits:
    """How far a user template may go: `max_size` characters in any value and in the
    output, `max_seconds` of rendering."""

    max_size: int
    max_seconds: float


#: What a view's attribute may hold (core.templating.views makes nothing else).
_VIEW_VALUES = (ReadOnlyView, str, int, float, Decimal, date, datetime, clock_time, tuple, list, dict, type(None))


class _CountingCodeGenerator(CodeGenerator):
    """Compiles every `for` loop to iterate through `environment.counted(...)`, so each
    pass of a loop (the only construct of the template language that repeats without a
    call) counts against the render's deadline."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        node.iter = nodes.Call(nodes.EnvironmentAttribute("counted"), [node.iter], [], None, None,
                               lineno=node.lineno)
        super().visit_For(node, frame)


class UserSandbox(SandboxedEnvironment):
    """A Jinja2 environment for templates users write: an allowlist of what they reach
    and limits on what they build. One per (autoescape, strictness, limits)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _CountingCodeGenerator

    def __init__(self, *, autoescape: bool, strict: bool, limits: TemplateLimits) -> None:
        super().__init__(autoescape=autoescape, undefined=StrictUndefined if strict else Undefined,
                         finalize=_finalize, keep_trailing_newline=True)
        self.limits = limits
        self.filters = {name: FILTERS[name] for name in _FILTERS}
        self.filters.update({"join": self._join, "replace": self._replace, "sum": self._sum})
        self.globals = {"range": self.globals["range"], "namespace": _bounded_namespace(self), "dict": dict}

    # -- what a template may reach ------------------------------------------------------
    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Only attributes of read-only views, and a short list of methods of plain values."""
        if attr.startswith("_"):
            return False
        if isinstance(obj, ReadOnlyView):
            return isinstance(value, _VIEW_VALUES)
        if isinstance(obj, str):
            return attr in _TEXT_METHODS
        if isinstance(obj, (date, datetime, clock_time, timedelta)):
            return attr in _DATE_ATTRIBUTES
        if isinstance(obj, dict):
            return attr in _MAPPING_METHODS
        if isinstance(obj, (list, tuple)):
            return attr in _SEQUENCE_METHODS
        if isinstance(obj, LoopContext):
            return attr in _LOOP_ATTRIBUTES
        return isinstance(obj, Namespace)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        """Refuse a forbidden attribute at once, even where an unknown name renders as
        nothing: a walk out of the sandbox is an error, never a silent blank."""
        raise SecurityError(f"access to attribute {attribute!r} of a {type(obj).__name__!r} value is not allowed")

    def wrap_str_format(self, value: Any) -> None:
        """No `str.format` (Jinja2 would hand out a sandboxed one before asking
        `is_safe_attribute`): its widths make text of any length."""
        return None

    # -- what a template may build ------------------------------------------------------
    def check_size(self, value: Any) -> Any:
        """`value`, or TemplateRefused if it is text, a list or an integer past the limits."""
        if isinstance(value, (str, list, tuple, dict)) and len(value) > self.limits.max_size:
            raise TemplateRefused(f"a value of more than {self.limits.max_size:,} characters or items")
        if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
            raise TemplateRefused("a number too large")
        return value

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """`*`, `**` and `+` with their results' size known before they are built; `%`
        on text (printf formatting, whose widths make text of any length) refused."""
        if operator == "%" and isinstance(left, str):
            raise TemplateRefused("text formatting with % is not available; join values with ~")
        if operator == "*":
            self._check_repeat(left, right)
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and left not in (0, 1, -1) and left.bit_length() * right > _MAX_INT_BITS:
                raise TemplateRefused("a number too large")
        result = super().call_binop(context, operator, left, right)
        return self.check_size(result)

    def _check_repeat(self, left: Any, right: Any) -> None:
        for sequence, times in ((left, right), (right, left)):
            if isinstance(sequence, (str, list, tuple)) and isinstance(times, int):
                limit = self.limits.max_size if isinstance(sequence, str) else _MAX_ITEMS
                if len(sequence) * max(times, 0) > limit:
                    raise TemplateRefused(f"a repeated value of more than {limit:,} characters or items")
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > _MAX_INT_BITS:
            raise TemplateRefused("a number too large")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """Calls (of macros, methods, globals), each counted against the deadline, with
        arguments held to the size limit; a macro's output is held to it by `concat`."""
        _tick()
        for value in (*args, *kwargs.values()):
            __self.check_size(value)
        return super().call(__context, __obj, *args, **kwargs)

    def counted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """`iterable`, each item counted against the deadline (every `for` loop goes through here)."""
        for item in iterable:
            _tick()
            yield item

    def concat(self, parts: Iterable[str]) -> str:  # type: ignore[override]
        """Join rendered output (a macro's, a block's, the whole template's), refusing it
        once it passes the size limit: output is counted as it is produced."""
        kept: list[str] = []
        total = 0
        for part in parts:
            total += len(part)
            if total > self.limits.max_size:
                raise TemplateRefused(f"output of more than {self.limits.max_size:,} characters")
            kept.append(part)
        return "".join(kept)

    @pass_eval_context
    def _join(self, eval_ctx: EvalContext, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
        # Counted item by item, so a long sequence is refused as soon as its text would be
        # too long, before the rest of it is produced.
        items: list[Any] = []
        total = 0
        for item in map(make_attrgetter(self, attribute), value) if attribute is not None else value:
            total += len(str(item)) + (len(d) if items else 0)
            if total > self.limits.max_size:
                raise TemplateRefused(f"a joined text of more than {self.limits.max_size:,} characters")
            items.append(item)
        return FILTERS["join"](eval_ctx, items, d)

    @pass_eval_context
    def _replace(self, eval_ctx: EvalContext, value: str, old: str, new: str, count: int | None = None) -> str:
        text = str(value)
        occurrences = text.count(old) if old else len(text) + 1
        if count is not None:
            occurrences = min(occurrences, max(count, 0))
        if len(text) + occurrences * (len(new) - len(old)) > self.limits.max_size:
            raise TemplateRefused(f"a replaced text of more than {self.limits.max_size:,} characters")
        return FILTERS["replace"](eval_ctx, value, old, new, count)

    @pass_environment
    def _sum(self, environment: Environment, iterable: Iterable[Any], attribute: Any = None, start: Any = 0) -> Any:
        # Numbers only: a sum of lists started from [] builds a list of any size.
        if not isinstance(start, (int, float, Decimal)) or isinstance(start, bool):
            raise TemplateRefused("sum adds numbers only")
        return self.check_size(FILTERS["sum"](environment, iterable, attribute, start))


#: When the render running in this context must have finished (time.monotonic()).
_deadline: ContextVar[float] = ContextVar("spectrum_template_deadline", default=float("inf"))


def _tick() -> None:
    if time.monotonic() > _deadline.get():
        raise TemplateRefused("the template took too long to render")


def _finalize(value: Any) -> Any:
    return "" if value is None else value


def _bounded_namespace(environment: UserSandbox) -> type[Namespace]:
    """`namespace()` whose attributes are held to the environment's limits: a value
    doubled on each pass of a loop would otherwise outgrow memory."""

    class BoundedNamespace(Namespace):
        def __setitem__(self, name: str, value: Any) -> None:
            environment.check_size(value)
            super().__setitem__(name, value)

    return BoundedNamespace


@lru_cache(maxsize=8)
def _sandbox(autoescape: bool, strict: bool, limits: TemplateLimits) -> UserSandbox:
    return UserSandbox(autoescape=autoescape, strict=strict, limits=limits)


@lru_cache(maxsize=512)
def _compiled(environment: UserSandbox, source: str) -> Template:
    # Compiling costs far more than rendering: a template sent to thousands is compiled once.
    return environment.from_string(source)


def check_user_template(source: str, *, html: bool, limits: TemplateLimits, strict: bool = True) -> None:
    """Raise TemplateSyntaxError (with its line) if `source` does not parse, or
    TemplateRefused if it is longer than the limits allow."""
    _template(source, html, strict, limits)


def _template(source: str, html: bool, strict: bool, limits: TemplateLimits) -> Template:
    if len(source) > limits.max_size:
        raise TemplateRefused(f"a template of more than {limits.max_size:,} characters")
    return _compiled(_sandbox(html, strict, limits), source)


def render_user_template(source: str, context: Mapping[str, Any], *, html: bool, limits: TemplateLimits,
                         strict: bool = True) -> str:
    """Render `source`, written by a user, with `context` (plain values and read-only
    views only), HTML-escaping values when `html`. An undefined name is an error when
    `strict`, else it renders as nothing.

    Raises a jinja2 TemplateError for anything the template did wrong: a syntax error, an
    undefined name, something the sandbox refuses (TemplateRefused), or an error of its
    own making (a division by zero, a bad conversion) as a TemplateRuntimeError."""
    template = _template(source, html, strict, limits)
    deadline = _deadline.set(time.monotonic() + limits.max_seconds)
    try:
        return template.render(**context)
    except TemplateError:
        raise
    except _TEMPLATE_FAULTS as error:
        raise TemplateRuntimeError(f"{type(error).__name__}: {error}") from None
    finally:
        _deadline.reset(deadline)

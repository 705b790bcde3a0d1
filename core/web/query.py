"""The state of a list page (search, filters, sort, group, cursor) read from the URL."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from core.domain import DomainError, parse_domain
from core.domain.saved import saved_domain
from core.env import Env
from core.web.filter_rows import row_condition
from core.web.views import search_options

__all__ = ["ListQuery"]

#: Page sizes a list offers.
PAGE_SIZES = (25, 50, 100, 200)
#: Pages a list remembers to go back to (each by its cursor in the URL).
MAX_TRAIL = 40
#: Stands in the trail for the first page, which has no cursor.
FIRST_PAGE = "first"
#: The most columns a list shows.
MAX_COLUMNS = 30


@dataclass
class ListQuery:
    """Everything that selects and orders the rows of a list, round-tripped through the URL."""

    resource: str
    q: str = ""
    named: list[str] = field(default_factory=list)
    builder: list[tuple[str, str, str]] = field(default_factory=list)
    raw_filter: str = ""
    sort: str = ""
    group: str = ""
    cursor: str = ""
    saved: str = ""
    #: Rows per page (0: the platform's page_size).
    size: int = 0
    #: How many rows come before this page, for "51-100 of 2,340".
    position: int = 0
    #: The cursors of the pages before this one, nearest last, for "Previous page".
    trail: list[str] = field(default_factory=list)
    #: Columns chosen for the list, in order (empty: the list view's).
    columns: list[str] = field(default_factory=list)
    #: The saved view this list state came from (its id), shown as the one picked.
    view: str = ""

    @classmethod
    def from_args(cls, resource: str, args: MultiDict[str, str]) -> ListQuery:
        builder = [
            (f, o, v) for f, o, v in zip(args.getlist("bf"), args.getlist("bo"), args.getlist("bv"))
            if f and o
        ]
        size = args.get("size", type=int)
        return cls(resource=resource, q=args.get("q", "").strip(), named=args.getlist("f"), builder=builder,
                   raw_filter=args.get("filter", ""), sort=args.get("sort", ""), group=args.get("group", ""),
                   cursor=args.get("cursor", ""), saved=args.get("saved", ""),
                   size=size if size in PAGE_SIZES else 0,
                   position=max(0, args.get("pos", 0, type=int)) if args.get("cursor") else 0,
                   trail=args.getlist("back")[-MAX_TRAIL:] if args.get("cursor") else [],
                   columns=[name for name in args.getlist("cols") if name][:MAX_COLUMNS], view=args.get("view", ""))

    def domain(self, env: Env) -> list[Any]:
        """The filter-language domain of the named filters, the builder rows and raw JSON."""
        parts: list[Any] = []
        filters = search_options(env, self.resource)["filters"]
        for name in self.named:
            if name not in filters:
                raise DomainError(f"no filter named {name!r} on {self.resource}")
            parts.append(filters[name])
        meta = env.records.meta(self.resource)
        for field_name, operator, value in self.builder:
            kind = meta.field(field_name).kind if field_name in meta.fields else "text"
            parts.append(row_condition((field_name, operator, value), kind))
        if self.raw_filter:
            parts.append(parse_domain(self.raw_filter))
        if self.saved and "saved_filters" in env.platform.models:
            parts.append(saved_domain(env, self.resource, self.saved))
        return parts

    def params(self, **changes: Any) -> dict[str, Any]:
        """URL parameters of this query with `changes` applied (None removes a key)."""
        values: dict[str, Any] = {
            "q": self.q, "f": self.named, "bf": [b[0] for b in self.builder], "bo": [b[1] for b in self.builder],
            "bv": [b[2] for b in self.builder], "filter": self.raw_filter, "sort": self.sort, "group": self.group,
            "cursor": self.cursor, "saved": self.saved, "size": self.size or None,
            "pos": self.position or None, "back": self.trail, "cols": self.columns, "view": self.view,
        }
        if "cursor" in changes and "back" not in changes:  # another page of another list: no way back
            values.update(pos=None, back=[])
        values.update(changes)
        return {key: value for key, value in values.items() if value not in (None, "", [])}

    def url(self, **changes: Any) -> str:
        """`/m/<resource>?...` with `changes` applied."""
        return f"/m/{self.resource}?{urlencode(self.params(**changes), doseq=True)}"

    def state(self) -> dict[str, Any]:
        """What a saved view keeps of this query: everything but the page and the view."""
        return self.params(cursor=None, pos=None, back=None, saved=None, view=None)

    def drill_url(self, field_name: str, value: Any) -> str:
        """The list narrowed to one group: an extra builder condition, no grouping."""
        operator, text = ("is null", "") if value is None else ("=", "true" if value is True else
                                                                ("false" if value is False else str(value)))
        return self.url(group=None, cursor=None, bf=[b[0] for b in self.builder] + [field_name],
                        bo=[b[1] for b in self.builder] + [operator], bv=[b[2] for b in self.builder] + [text])

    def next_url(self, cursor: str, shown: int) -> str:
        """The page after this one (which shows `shown` rows), starting at `cursor`."""
        return self.url(cursor=cursor, pos=self.position + shown,
                        back=[*self.trail, self.cursor or FIRST_PAGE][-MAX_TRAIL:])

    def previous_url(self, size: int) -> str | None:
        """The page before this one (of `size` rows), when it is remembered (None on the first page)."""
        if not self.cursor or not self.trail:
            return None
        *trail, cursor = self.trail
        if cursor == FIRST_PAGE:
            return self.url(cursor=None, back=[], pos=None)
        return self.url(cursor=cursor, back=trail, pos=max(0, self.position - size))

    def sort_url(self, column: str, current: str | None = None) -> str:
        """Link of a column header: sort by it, or reverse when the list is sorted by it
        (`current`: the sort in force, the list's default order when the URL gives none)."""
        return self.url(sort=f"-{column}" if (current or self.sort) == column else column, cursor=None)


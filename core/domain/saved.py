"""Saved views of lists: a named filter-language domain and the whole state of the list
(search, named filters, sort, grouping, columns, page size), private to their owner, shared
with everybody or with the users of one role; each user may make one of theirs the view a
list opens with."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped

from core.domain.compiler import DomainError, validate_domain
from core.models.base import Record
from core.models.fields import field
from core.models.registry import UnknownModel
from core.models.types import JsonType
from core.records.errors import BadRequest, ValidationFailed

if TYPE_CHECKING:
    from core.env import Env

__all__ = ["SavedFilter", "saved_domain", "check_domain", "VIEW_KEYS"]


def check_domain(env: Env, resource: str, domain: Any, *, model_field: str = "model",
                 domain_field: str = "domain") -> None:
    """ValidationFailed unless `resource` is an installed model and `domain` compiles on it.

    Used by every record that stores a domain (saved filters, record rules), so a broken
    filter is refused when it is saved, not when somebody's list fails later."""
    try:
        model = env.platform.models.get(resource)
    except UnknownModel as error:
        raise ValidationFailed({model_field: [str(error)]}) from None
    try:
        validate_domain(model, domain)
    except DomainError as error:
        raise ValidationFailed({domain_field: [str(error)]}) from None


#: The list state a view keeps: the list page's URL parameters (core.web.query.ListQuery).
VIEW_KEYS = frozenset({"q", "f", "bf", "bo", "bv", "filter", "sort", "group", "size", "cols"})


class SavedFilter(Record):
    """A view a user saved of a list: its filter, and the list's state; shared ones appear
    for everybody who may read the model, or for the users of `shared_role_id`."""

    __tablename__ = "saved_filters"
    __label__ = "Saved view"
    __display_field__ = "name"
    __order__ = ["model", "name"]

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True)
    model: Mapped[str] = field(String(120), label="Model", required=True, index=True,
                               help="The resource the filter lists, such as contacts.")
    domain: Mapped[Any] = field(JsonType, label="Filter", kind="json", required=True,
                                help="A filter-language domain, such as [[\"city\", \"=\", \"Paris\"]].")
    owner_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="CASCADE"), label="Owner", index=True,
                                         help="Left empty, the user who saves the filter.")
    shared: Mapped[bool] = field(Boolean, label="Shared", default=False, nullable=False,
                                 help="Offered to every user, not only to its owner.")
    shared_role_id: Mapped[int | None] = field(ForeignKey("roles.id", ondelete="SET NULL"), label="Shared with role",
                                               index=True, help="Offered to the users of this role too.")
    query: Mapped[Any] = field(JsonType, label="List state", kind="json", nullable=True,
                               help="Search, named filters, sort, grouping, columns and page size of the list, as "
                                    "its URL parameters: {\"sort\": \"-amount\", \"cols\": [\"name\", \"amount\"]}.")
    is_default: Mapped[bool] = field(Boolean, label="My default", default=False, nullable=False,
                                     help="The list opens with this view for its owner.")

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Own the view by its author, refuse a domain that does not compile or a list state
        with unknown keys, and keep one default per owner and list."""
        if self.owner_id is None and env.user is not None:
            self.owner_id = env.user.id
        check_domain(env, self.model, self.domain)
        self.query = _clean_query(self.query)
        if self.is_default and ("is_default" in changed or "model" in changed):
            others = env.sudo().records.search("saved_filters", [["owner_id", "=", self.owner_id],
                                                                 ["model", "=", self.model], ["is_default", "=", True],
                                                                 ["id", "!=", self.id or 0]])
            for other in others.records:
                other.is_default = False


def _clean_query(query: Any) -> dict[str, Any] | None:
    """The list state as stored: known keys only, each a text or a list of texts."""
    if query in (None, {}):
        return None
    if not isinstance(query, dict):
        raise ValidationFailed({"query": ["Give the list state as an object of URL parameters."]})
    unknown = sorted(set(query) - VIEW_KEYS)
    if unknown:
        raise ValidationFailed({"query": [f"Unknown list parameters: {', '.join(unknown)}; "
                                          f"known: {', '.join(sorted(VIEW_KEYS))}."]})
    clean: dict[str, Any] = {}
    for key, value in query.items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(item, (str, int)) and not isinstance(item, bool) for item in values):
            raise ValidationFailed({"query": [f"{key}: give texts (or a list of texts)."]})
        clean[key] = [str(item) for item in values] if isinstance(value, list) else str(value)
    return clean


def saved_domain(env: Env, resource: str, saved_id: str) -> Any:
    """The domain of the saved filter `saved_id` (a query parameter) for listing `resource`.

    The filter must be visible to the acting user (their own or shared, by the record
    rules of saved_filters); a hidden one is NotFound like any other record."""
    try:
        record_id = int(saved_id)
    except ValueError:
        raise ValidationFailed({"saved": ["Not a valid integer."]}) from None
    saved = env.records.get("saved_filters", record_id)
    if saved.model != resource:
        raise BadRequest(f"saved filter #{record_id} ({saved.name!r}) lists {saved.model}, not {resource}")
    return saved.domain

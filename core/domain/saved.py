"""Saved filters: named filter-language domains, private to their owner or shared."""
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

__all__ = ["SavedFilter", "saved_domain", "check_domain"]


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


class SavedFilter(Record):
    """A filter a user saved on a list; shared ones appear for everybody who may read the model."""

    __tablename__ = "saved_filters"
    __label__ = "Saved filter"
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

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Own the filter by its author and refuse a domain that does not compile."""
        if self.owner_id is None and env.user is not None:
            self.owner_id = env.user.id
        check_domain(env, self.model, self.domain)


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

"""Dotted paths of the filter language: which relation a step names, and which models a
domain's paths reach.

A step names a relation of the model (`account`, `tags`, or `account_id`), or, the other
way round, the records of another model that link to this one by a many-to-one: the
step is that model's resource name (`interactions` from contacts: the interactions whose
`contact` is the contact), followed by `:<relation>` when that model links here by more
than one (`tickets:contact`). Such a reverse step is to-many, as an account's contacts
are: it matches when any linked record does. An addon's model that points at contacts is
so reachable from contacts without the contacts addon knowing it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy.orm import RelationshipProperty
from sqlalchemy.orm.interfaces import MANYTOONE

from core.domain.bounds import check_shape, is_condition, is_relation_condition
from core.domain.errors import DomainError
from core.models.read_time import read_time_fields

__all__ = ["Step", "resolve_step", "relationship_of", "reached_models", "reads_the_time"]


@dataclass(frozen=True)
class Step:
    """One step of a dotted path, resolved.

    :param target: the model the step reaches.
    :param relation: the model's own relationship (forward), or for a reverse step the
        target's many-to-one back to the model.
    :param reverse: whether the step goes against `relation` (from the one to the many).
    """

    target: type[Any]
    relation: RelationshipProperty[Any]
    reverse: bool = False

    @property
    def many(self) -> bool:
        """Whether the step reaches any number of records (matched when any matches)."""
        return self.reverse or bool(self.relation.uselist)


def relationship_of(model: type[Any], step: str) -> RelationshipProperty[Any] | None:
    """The relation of `model` that one step of a dotted path names: its name, or the name
    of its foreign key (`account_id` for `account`); None when it names no relation."""
    relationships = model.__mapper__.relationships
    for name in (step, step[:-3] if step.endswith("_id") else None):
        if name and name in relationships:
            return relationships[name]
    return None


def resolve_step(model: type[Any], step: str, models: Iterable[type[Any]] | None = None) -> Step | None:
    """The relation one step of a path names from `model`: its own relation first, else the
    records of another model that link to it (the module's docstring). `models` are the
    models a reverse step may reach (those of the app); None takes every mapped model.
    None when the step names neither.

    :raises DomainError: a reverse step to a model that links here by several relations
        without naming one, or naming one that does not link here."""
    relation = relationship_of(model, step)
    if relation is not None:
        return Step(relation.mapper.class_, relation)
    resource, _, named = step.partition(":")
    target = next((candidate for candidate in _candidates(model, models)
                   if candidate is not model and candidate.resource_name() == resource), None)
    if target is None:
        return None
    links = {name: link for name, link in target.__mapper__.relationships.items()
             if link.direction is MANYTOONE and link.mapper.class_ is model}
    if named:
        if named not in links:
            raise DomainError(f"{step!r}: {resource!r} has no relation {named!r} to {model.resource_name()!r}; "
                              f"it has {', '.join(sorted(links)) or 'none'}", step)
        return Step(target, links[named], reverse=True)
    if len(links) > 1:
        raise DomainError(f"{step!r}: {resource!r} links to {model.resource_name()!r} by several relations; "
                          f"name one, as in {', '.join(f'{resource}:{name}' for name in sorted(links))}", step)
    return Step(target, next(iter(links.values())), reverse=True) if links else None


def _candidates(model: type[Any], models: Iterable[type[Any]] | None) -> Iterable[type[Any]]:
    if models is not None:
        return models
    return [mapper.class_ for mapper in model.registry.mappers if hasattr(mapper.class_, "resource_name")]


def reached_models(model: type[Any], domain: Any, models: Iterable[type[Any]] | None = None) -> set[type[Any]]:
    """Every model that a path of `domain` (on `model`) reaches through a relation, at any
    step (`models` as for `resolve_step`). A SQL statement built from the domain for a user
    depends on the record rules of these models too; a domain without dotted paths reaches
    none. Steps that name no relation are skipped here: compiling the domain reports them.

    :raises DomainError: for a domain beyond the bounds of core.domain.bounds (checked
        before this walks it), or an ambiguous reverse step."""
    check_shape(domain)
    known = list(models) if models is not None else None
    reached: set[type[Any]] = set()
    for path in _paths(domain):
        current = model
        for step in path.split(".")[:-1]:
            resolved = resolve_step(current, step, known)
            if resolved is None:
                break
            current = resolved.target
            reached.add(current)
    return reached


def reads_the_time(model: type[Any], domain: Any, models: Iterable[type[Any]] | None = None) -> bool:
    """Whether a condition of `domain` (on `model`) ends on a field computed when read
    (core.models.read_time): the SQL it compiles to holds the time, so it cannot be kept.

    :raises DomainError: for a domain beyond the bounds of core.domain.bounds, or an
        ambiguous reverse step."""
    check_shape(domain)
    known = list(models) if models is not None else None
    for path in _paths(domain, dotted_only=False):
        *steps, name = path.split(".")
        current: type[Any] | None = model
        for step in steps:
            resolved = resolve_step(current, step, known) if current is not None else None
            current = resolved.target if resolved is not None else None
        if current is not None and name in read_time_fields(current):
            return True
    return False


def _paths(domain: Any, *, dotted_only: bool = True) -> list[str]:
    """The paths of the conditions of `domain`, only the dotted ones unless told otherwise
    (values are never read as paths)."""
    if isinstance(domain, list):
        if is_relation_condition(domain):
            # The relation is crossed whatever the inner filter says; the inner paths start there.
            inner = _paths(domain[2], dotted_only=False) if isinstance(domain[2], (list, dict)) else []
            return [f"{domain[0]}.id", *[f"{domain[0]}.{path}" for path in inner]]
        if is_condition(domain):
            return [domain[0]] if "." in domain[0] or not dotted_only else []
        return [path for item in domain for path in _paths(item, dotted_only=dotted_only)]
    if isinstance(domain, dict):
        return [path for value in domain.values() for path in _paths(value, dotted_only=dotted_only)]
    return []

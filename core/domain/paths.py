"""Dotted paths of the filter language: which relation a step names, and which models a
domain's paths reach."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import RelationshipProperty

from core.domain.bounds import check_shape, is_condition
from core.models.read_time import read_time_fields

__all__ = ["relationship_of", "reached_models", "reads_the_time"]


def relationship_of(model: type[Any], step: str) -> RelationshipProperty[Any] | None:
    """The relation of `model` that one step of a dotted path names: its name, or the name
    of its foreign key (`account_id` for `account`); None when it names no relation."""
    relationships = model.__mapper__.relationships
    for name in (step, step[:-3] if step.endswith("_id") else None):
        if name and name in relationships:
            return relationships[name]
    return None


def reached_models(model: type[Any], domain: Any) -> set[type[Any]]:
    """Every model that a path of `domain` (on `model`) reaches through a relation, at any
    step. A SQL statement built from the domain for a user depends on the record rules of
    these models too; a domain without dotted paths reaches none. Steps that name no
    relation are skipped here: compiling the domain reports them.

    :raises DomainError: for a domain beyond the bounds of core.domain.bounds (checked
        before this walks it)."""
    check_shape(domain)
    reached: set[type[Any]] = set()
    for path in _paths(domain):
        current = model
        for step in path.split(".")[:-1]:
            relation = relationship_of(current, step)
            if relation is None:
                break
            current = relation.mapper.class_
            reached.add(current)
    return reached


def reads_the_time(model: type[Any], domain: Any) -> bool:
    """Whether a condition of `domain` (on `model`) ends on a field computed when read
    (core.models.read_time): the SQL it compiles to holds the time, so it cannot be kept.

    :raises DomainError: for a domain beyond the bounds of core.domain.bounds."""
    check_shape(domain)
    for path in _paths(domain, dotted_only=False):
        *steps, name = path.split(".")
        current: type[Any] | None = model
        for step in steps:
            relation = relationship_of(current, step) if current is not None else None
            current = relation.mapper.class_ if relation is not None else None
        if current is not None and name in read_time_fields(current):
            return True
    return False


def _paths(domain: Any, *, dotted_only: bool = True) -> list[str]:
    """The paths of the conditions of `domain`, only the dotted ones unless told otherwise
    (values are never read as paths)."""
    if isinstance(domain, list):
        if is_condition(domain):
            return [domain[0]] if "." in domain[0] or not dotted_only else []
        return [path for item in domain for path in _paths(item, dotted_only=dotted_only)]
    if isinstance(domain, dict):
        return [path for value in domain.values() for path in _paths(value, dotted_only=dotted_only)]
    return []

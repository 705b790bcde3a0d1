"""Dotted paths of the filter language: which relation a step names, and which models a
domain's paths reach."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import RelationshipProperty

from core.domain.bounds import check_shape, is_condition

__all__ = ["relationship_of", "reached_models"]


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


def _paths(domain: Any) -> list[str]:
    """The dotted paths of the conditions of `domain` (values are never read as paths)."""
    if isinstance(domain, list):
        if is_condition(domain):
            return [domain[0]] if "." in domain[0] else []
        return [path for item in domain for path in _paths(item)]
    if isinstance(domain, dict):
        return [path for value in domain.values() for path in _paths(value)]
    return []

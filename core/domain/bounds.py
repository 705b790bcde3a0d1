"""How large a filter may be, checked before anything walks it.

A filter comes from anyone who may list records (a query parameter, a saved filter), and
the compiler, the SQL it builds and the database all recurse over it: a filter nested
50 levels exhausts Python's recursion limit, and 1,000 conditions exceed SQLite's
expression depth. `check_shape` walks a domain without recursion and refuses one
beyond these bounds with a DomainError that says which bound, before the compiler (or
anything else) recurses into it.
"""
from __future__ import annotations

from typing import Any

from core.domain.errors import DomainError

#: Operators whose value is a filter over a relation's records (core.domain.operators).
_RELATION_OPERATORS = ("any", "not any")

__all__ = ["check_shape", "is_condition", "is_relation_condition", "MAX_DEPTH", "MAX_CONDITIONS", "MAX_PATH_RELATIONS", "MAX_LIST_VALUES"]

#: Combinations (and, or, not, a list of domains) nested in one another.
MAX_DEPTH = 20
#: Conditions in one filter.
MAX_CONDITIONS = 200
#: Relations one condition's path follows (`account.owner_id.name` follows two).
MAX_PATH_RELATIONS = 5
#: Values of one `in` or `not in` list.
MAX_LIST_VALUES = 10_000
#: Lists and objects nested in a condition's value: a list of context values, such as
#: `[{"$today": {"days": -7}}, ...]`, is three levels deep.
_MAX_VALUE_DEPTH = 3


def is_condition(node: Any) -> bool:
    """Whether `node` is a condition `[path, operator, value]` (rather than a combination)."""
    return isinstance(node, list) and len(node) == 3 and isinstance(node[0], str) and isinstance(node[1], str)


def is_relation_condition(node: Any) -> bool:
    """Whether `node` is a condition `[relation, "any" | "not any", filter]`."""
    return is_condition(node) and " ".join(node[1].lower().split()) in _RELATION_OPERATORS


def check_shape(domain: Any) -> None:
    """DomainError if `domain` nests deeper than MAX_DEPTH, holds more than MAX_CONDITIONS
    conditions, or a path follows more than MAX_PATH_RELATIONS relations. A malformed part
    is left for the compiler to name."""
    pending: list[tuple[Any, int]] = [(domain, 0)]
    conditions = 0
    while pending:
        node, depth = pending.pop()
        if is_condition(node):
            conditions += 1
            if conditions > MAX_CONDITIONS:
                raise DomainError(f"the filter has more than {MAX_CONDITIONS} conditions; narrow it down or "
                                  "use 'in' with a list of values")
            if node[0].count(".") > MAX_PATH_RELATIONS:
                raise DomainError(f"{node[0]!r} follows more than {MAX_PATH_RELATIONS} relations", node[0])
            if is_relation_condition(node):
                # Its value is a filter: walked as a nested combination, under the same bounds.
                if depth + 1 > MAX_DEPTH:
                    raise DomainError(f"the filter nests combinations (and, or, not) more than {MAX_DEPTH} "
                                      "levels deep")
                if isinstance(node[2], (list, dict)):
                    pending.append((node[2], depth + 1))
                continue
            _check_value(node[0], node[2])
            continue
        if isinstance(node, dict) and len(node) == 1:
            (key, value), = node.items()
            children = [value] if key == "not" else value if key in ("and", "or") and isinstance(value, list) else []
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth + 1 > MAX_DEPTH:
            raise DomainError(f"the filter nests combinations (and, or, not) more than {MAX_DEPTH} levels deep")
        pending.extend((child, depth + 1) for child in children if isinstance(child, (list, dict)))


def _check_value(path: str, value: Any) -> None:
    """DomainError if the value of the condition on `path` is a list longer than
    MAX_LIST_VALUES or nests lists and objects deeper than a value can."""
    if isinstance(value, list) and len(value) > MAX_LIST_VALUES:
        raise DomainError(f"the list of values for {path!r} has more than {MAX_LIST_VALUES} items", path)
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        if children and depth > _MAX_VALUE_DEPTH:
            raise DomainError(f"the value for {path!r} nests lists or objects too deep", path)
        pending.extend((child, depth + 1) for child in children if isinstance(child, (list, dict)))

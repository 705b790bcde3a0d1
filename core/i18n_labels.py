"""A Babel extraction method for the English texts models and addons declare rather than
pass to gettext: field labels and help (`label=`, `help=`), model labels (`__label__`,
`__label_plural__`), choice lists (`[("value", "Label"), ...]`), the names of a search
view's filters (`options={"filters": {"My contacts": ...}}`) and the titles of menus,
panels, quick actions, dashboards, KPIs and charts (their first text arguments). The pages
translate them when they show them (`core.i18n.translate`, the `t` filter)."""
from __future__ import annotations

import ast
from typing import IO, Any, Iterator

__all__ = ["extract_labels"]

_KEYWORDS = frozenset({"label", "help", "title", "summary", "description"})
_CLASS_LABELS = frozenset({"__label__", "__label_plural__"})
#: Declarations whose leading text arguments are shown: (name, how many text arguments to skip).
_TITLED = {"MenuItem": 1, "DetailPanel": 1, "QuickAction": 0, "Dashboard": 1, "Kpi": 0, "Chart": 0, "View": 99,
           "role": 1, "FieldGroup": 0, "NotificationKind": 1, "ListAction": 1, "ConsentTopic": 1}


def _text(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip() else None


def _choices(node: ast.AST) -> Iterator[tuple[int, str]]:
    """The labels of a list of (value, label) pairs of texts."""
    if not isinstance(node, (ast.List, ast.Tuple)) or not node.elts:
        return
    pairs = [element for element in node.elts if isinstance(element, ast.Tuple) and len(element.elts) == 2]
    if len(pairs) != len(node.elts):
        return
    for pair in pairs:
        label = _text(pair.elts[1])
        if label is not None and _text(pair.elts[0]) is not None:
            yield pair.lineno, label


def _groups(node: ast.AST) -> Iterator[tuple[int, str]]:
    """The labels of a view's `groups` option: [(label, [fields]), ...]."""
    if isinstance(node, (ast.List, ast.Tuple)):
        for element in node.elts:
            if isinstance(element, ast.Tuple) and len(element.elts) == 2 and (label := _text(element.elts[0])):
                yield element.lineno, label


def _name_of(call: ast.Call) -> str | None:
    """The name a call calls (`GroupedImport(...)`, `core.View(...)`)."""
    return getattr(call.func, "id", None) or getattr(call.func, "attr", None)


def extract_labels(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                   options: Any) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel's extraction interface: (line, function name, message, comments)."""
    try:
        tree = ast.parse(fileobj.read())
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in _KEYWORDS and (text := _text(keyword.value)):
                    yield keyword.value.lineno, "", text, []
                if keyword.arg == "choices":
                    for line, label in _choices(keyword.value):
                        yield line, "", label, []
                if keyword.arg == "options" and isinstance(keyword.value, ast.Dict):
                    for key, value in zip(keyword.value.keys, keyword.value.values):
                        if key is not None and _text(key) == "groups":
                            for line, label in _groups(value):
                                yield line, "", label, []
                        elif key is not None and _text(key) == "filters" and isinstance(value, ast.Dict):
                            for name in value.keys:  # a search's named filters ({"My contacts": [...]})
                                if name is not None and (label := _text(name)):
                                    yield name.lineno, "", label, []
                        elif _name_of(node) == "GroupedImport" and (label := _text(value)):
                            yield value.lineno, "", label, []  # an option's label ({"shop": "Shop (id)"})
            name = _name_of(node)
            skip = _TITLED.get(name or "")
            if skip is not None and len(node.args) > skip and (text := _text(node.args[skip])):
                yield node.args[skip].lineno, "", text, []
        elif isinstance(node, ast.Assign):
            names = [target.id for target in node.targets if isinstance(target, ast.Name)]
            if any(name in _CLASS_LABELS for name in names) and (text := _text(node.value)):
                yield node.value.lineno, "", text, []
            elif names and all(name.isupper() for name in names):
                for line, label in _choices(node.value):
                    yield line, "", label, []

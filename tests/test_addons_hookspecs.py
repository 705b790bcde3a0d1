"""The plugin contract documents itself: every hook spec says when it is called, what it
receives and what it returns (the idea of Datasette's tests/test_docs.py)."""
from __future__ import annotations

import inspect
import re

import pytest

from core import hookspecs
from core.plugins import make_plugin_manager

SPECS = sorted(name for name, value in vars(hookspecs).items() if hasattr(value, "spectrum_spec"))


def test_the_plugin_manager_knows_exactly_the_hooks_of_core_hookspecs():
    manager = make_plugin_manager([])

    assert sorted(name for name in vars(manager.hook) if not name.startswith("_")) == SPECS
    assert len(SPECS) >= 15


@pytest.mark.parametrize("name", SPECS)
def test_every_hook_spec_says_when_it_is_called_what_it_receives_and_returns(name):
    spec = getattr(hookspecs, name)
    doc = inspect.getdoc(spec) or ""
    signature = inspect.signature(spec)

    assert re.search(r"\bCalled\b", doc), f"{name}: the docstring must say when the hook is called ('Called ...')"
    assert re.search(r"\bReturns?\b", doc), f"{name}: the docstring must say what implementations return"
    assert signature.return_annotation is not inspect.Signature.empty, f"{name}: annotate the return type"
    for parameter in signature.parameters:
        assert f"`{parameter}`" in doc, f"{name}: the docstring must describe the argument `{parameter}`"

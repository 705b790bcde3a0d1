"""README.md repeats rules written in the code's docstrings; these tests keep the two in
agreement, so changing one without the other fails."""
from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

import core.access.policy
import core.domain.compiler

README = Path(__file__).resolve().parent.parent / "README.md"


def _words(text: str) -> str:
    """Text with every run of whitespace made one space (line wrapping does not matter)."""
    return " ".join(text.split())


def _documented_part(module: ModuleType, section: str) -> str:
    """The part of the module's docstring after the line that points at README `section`."""
    marker = f'README "{section}"):'
    doc = module.__doc__ or ""
    assert marker in doc, f"{module.__name__}'s docstring no longer says it is in README {section!r}"
    return doc.split(marker, 1)[1].strip()


@pytest.mark.parametrize(("module", "section"), [
    (core.domain.compiler, "Filter language"),
    (core.access.policy, "Permissions"),
])
def test_readme_section_repeats_the_docstring(module: ModuleType, section: str) -> None:
    readme = README.read_text(encoding="utf-8")
    assert f"\n## {section}\n" in readme
    body = readme.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    documented = _documented_part(module, section)
    assert documented.startswith(("*", "1.")), f"unexpected start of {module.__name__}'s rules: {documented[:40]!r}"
    assert _words(documented) in _words(body), (
        f"README section {section!r} no longer repeats the docstring of {module.__name__}: copy it over"
    )


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = README.read_text(encoding="utf-8")
    first_block = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split()[0] for line in first_block.splitlines()] == ["scripts/run", "scripts/test"]
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert [line for line in ci.splitlines() if line.startswith("exec ")] == ["exec bash scripts/test"]

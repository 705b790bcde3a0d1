"""Translations: extract the texts of the kernel and of each addon into its own catalog,
merge them into the existing languages, and compile.

    python scripts/i18n.py            # extract, update every language, compile
    python scripts/i18n.py --check    # fail if a catalog misses a text or a translation

Each package keeps `translations/<lang>/LC_MESSAGES/messages.po` (and the compiled `.mo`):
`core/translations`, `addons/<addon>/translations`. Texts come from gettext calls in Python
(`gettext`, `_`, `ngettext`, `lazy_gettext`), from templates (`_()`, `ngettext()`, `{% trans %}`)
and from what models and addons declare in English (core/i18n_labels.py).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.i18n_labels import extract_labels  # noqa: E402

LANGUAGES = ("fr",)
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None}


def packages() -> list[Path]:
    """The kernel, then every addon folder with Python in it."""
    addons = sorted(path for path in (ROOT / "addons").iterdir() if (path / "__init__.py").exists())
    return [ROOT / "core", *addons]


def template_of(package: Path) -> Catalog:
    """Every text of `package`, as a catalog template."""
    catalog = Catalog(project="SPECTRUM ERM", charset="utf-8")
    # Not pages: tests, migrations, the command line (its help stays English) and test helpers.
    skipped = [("**/tests/**", "ignore"), ("**/migrations/**", "ignore"), ("**/static/**", "ignore"),
               ("cli/**", "ignore"), ("testing/**", "ignore")]
    methods = [*skipped, ("**.py", "python"), ("**.html", "jinja2.ext:babel_extract")]
    options = {"**.html": {"extensions": "jinja2.ext.do", "newstyle_gettext": "true"}}
    for method_map in (methods, [*skipped, ("**.py", extract_labels)]):
        for filename, line, message, comments, context in extract_from_dir(
                package, method_map, options, KEYWORDS, strip_comment_tags=True):
            catalog.add(message, locations=[(str(Path(package.name) / filename), line)], auto_comments=comments,
                        context=context)
    return catalog


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report missing texts or translations, change nothing")
    args = parser.parse_args()
    problems: list[str] = []
    for package in packages():
        template = template_of(package)
        if not len(template):
            continue
        for language in LANGUAGES:
            folder = package / "translations" / language / "LC_MESSAGES"
            po_path = folder / "messages.po"
            existing = read_po(po_path.open("rb"), locale=language) if po_path.exists() else Catalog(locale=language)
            known = {message.id for message in existing if message.id}
            wanted = {message.id for message in template if message.id}
            untranslated = [m.id for m in existing if m.id and m.id in wanted and not m.string]
            if args.check:
                missing = wanted - known
                if missing or untranslated:
                    problems.append(f"{po_path.relative_to(ROOT)}: {len(missing)} texts missing, "
                                    f"{len(untranslated)} untranslated, e.g. {sorted(missing or untranslated)[:3]}")
                continue
            existing.update(template, no_fuzzy_matching=True)
            folder.mkdir(parents=True, exist_ok=True)
            with po_path.open("wb") as out:
                write_po(out, existing, sort_output=True, omit_header=False, width=120, include_previous=False)
            with (folder / "messages.mo").open("wb") as out:
                write_mo(out, existing)
            done = sum(1 for m in existing if m.id and m.string)
            print(f"{po_path.relative_to(ROOT)}: {done}/{len(wanted)} translated")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

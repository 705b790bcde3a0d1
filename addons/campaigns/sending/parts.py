"""What a campaign email's HTML becomes for mail clients: its `<style>` rules inlined into
`style=` attributes (css-inline), and the plain-text alternative (html2text).

Inlining runs on each contact's rendered HTML: an HTML parser rearranges what it reads
(text between table rows moves before the table), which would tear Jinja tags written
there apart, and inlining a rendered body takes tens of microseconds.

Converting HTML to text takes milliseconds, too slow for each of thousands of contacts, so
`text_template` converts the message's template once into a text template, with each
Jinja tag kept whole in place, and each contact's text is that template rendered. html2text
reads the source in order with the standard library's tolerant parser, so a tag between
table rows stays where it was. When a block tag (`{% if %}`, `{% for %}`) does not come
through (it stood inside a `<style>` block or an attribute), the template has no text
template and each contact's rendered HTML is converted instead.
"""
from __future__ import annotations

import re
import secrets
from functools import lru_cache

import css_inline
import html2text
from jinja2 import Environment, TemplateError

__all__ = ["inline_css", "html_to_text", "text_template", "tidy_text"]

# Remote stylesheets are never fetched while sending; @media rules stay in a <style> block,
# where the clients that read them (responsive layouts) find them.
_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False, keep_at_rules=True)
_STYLE_TAG = re.compile(r"<style\b", re.IGNORECASE)
# Jinja's default syntax, which the user-template sandbox keeps.
_LEXER = Environment()
# A "{" the text shows that would otherwise open a Jinja tag in the text template.
_OPENING = re.compile(r"\{(?=[{%#])")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
# html2text writes a row's cells side by side with nothing between them.
_CELL_END = re.compile(r"</t[dh]\s*>", re.IGNORECASE)


def inline_css(html: str) -> str:
    """`html` with the rules of its `<style>` blocks written into each element's `style`
    attribute (a document: html, head and body are added when missing). HTML without a
    `<style>` block is returned as it is. Raises ValueError for CSS css-inline cannot read."""
    if not _STYLE_TAG.search(html):
        return html
    try:
        return _INLINER.inline(html)
    except css_inline.InlineError as error:
        raise ValueError(f"the message's CSS cannot be inlined: {error}") from None


def _converter() -> html2text.HTML2Text:
    converter = html2text.HTML2Text()
    converter.body_width = 0  # no wrapping: a long link stays one line, and a Jinja tag one token
    converter.unicode_snob = True  # "é" and "—" as they are, not ASCII look-alikes
    converter.ignore_emphasis = True
    converter.images_to_alt = True
    converter.ignore_tables = True  # cells as lines of text: email layouts are tables, seldom data
    converter.inline_links = True  # "[Shop now](https://…)": the text, then its link
    return converter


def _convert(html: str) -> str:
    return _converter().handle(_CELL_END.sub(lambda match: match.group(0) + " ", html))


def html_to_text(html: str) -> str:
    """The plain text of `html`: paragraphs, lists and headings as lines, each link as its
    text followed by its URL, images as their alt text."""
    return tidy_text(_convert(html))


def tidy_text(text: str) -> str:
    """`text` without trailing spaces and with at most one blank line in a row (what a
    block tag that rendered nothing leaves behind)."""
    return _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("\n", text)).strip() + "\n"


@lru_cache(maxsize=256)
def text_template(source: str) -> str | None:
    """The Jinja text template equivalent to the HTML template `source`: its HTML converted
    to text, its Jinja tags where they stood. None when a block tag would not survive the
    conversion, or when the source does not parse: convert each rendered HTML then."""
    try:
        segments = _segments(source)
    except TemplateError:
        return None
    marker = "jx" + secrets.token_hex(4)
    while marker in source:
        marker = "jx" + secrets.token_hex(4)
    html: list[str] = []
    tags: dict[str, str] = {}
    for is_tag, text in segments:
        if is_tag:
            key = f"{marker}t{len(tags)}x"
            tags[key] = text
            html.append(key)
        else:
            html.append(text)
    text = _OPENING.sub("{{ '{' }}", _convert("".join(html)))
    found = [match.group(0) for match in re.finditer(rf"{marker}t\d+x", text)]
    blocks = [key for key, tag in tags.items() if tag.startswith("{%")]
    if [key for key in found if key in blocks] != blocks or len(found) != len(set(found)):
        return None
    template = re.sub(rf"{marker}t\d+x", lambda match: tags[match.group(0)], text)
    try:
        _LEXER.parse(template)
    except TemplateError:
        return None
    return template


def _segments(source: str) -> list[tuple[bool, str]]:
    """`source` as (is a Jinja tag, text) pieces: HTML between tags, each `{{ }}` and `{% %}`
    whole; comments left out, a raw block's content as HTML."""
    segments: list[tuple[bool, str]] = []
    tag: list[str] = []
    in_comment = False
    for _line, kind, value in _LEXER.lex(source):
        if kind == "data":
            segments.append((False, value))
        elif kind == "comment_begin":
            in_comment = True
        elif kind == "comment_end":
            in_comment = False
        elif in_comment or kind in ("raw_begin", "raw_end"):
            continue
        else:
            tag.append(value)
            if kind in ("variable_end", "block_end"):
                segments.append((True, "".join(tag)))
                tag = []
    return segments

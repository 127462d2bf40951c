"""Drop the CSS a page cannot use: the notebook page inlines ~570 KB of JupyterLab styles.

Only rules whose selectors can match (every class they name appears on the page) and the
custom properties those rules reach are kept. A static page gains no classes later, so what
is removed could never apply.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import tinycss2

from scripts import cache
from scripts.paths import ROOT

CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
VAR = re.compile(r"var\(\s*(--[\w-]+)")
DECLARED = re.compile(r"(?<![\w-])(--[\w-]+)\s*:")
STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S)
CLASS_ATTR = re.compile(r'class="([^"]*)"')
KEPT_AT_RULES = {"font-face", "keyframes", "charset", "import", "namespace", "page", "property"}


def prune_page(html: str, min_size: int = 50_000, cache_dir: Path | None = None) -> str:
    """The page with every large inline <style> pruned to what its markup can use.

    Parsing half a megabyte of CSS takes seconds; with ``cache_dir`` a result is reused while
    the styles and the classes the page uses are unchanged.
    """
    used = {name for value in CLASS_ATTR.findall(html) for name in value.split()}
    blocks = [match.group(2) for match in STYLE.finditer(html)]
    large = {block for block in blocks if len(block) >= min_size}
    if not large:
        return html
    # Custom properties read by the page's other styles (and style attributes) must stay.
    outside = STYLE.sub("", html) + "".join(block for block in blocks if block not in large)
    external_reads = set(VAR.findall(outside))
    pruned = {block: _cached(cache_dir, (block, sorted(used), sorted(external_reads)),
                             lambda block=block: _prune_properties(_prune_rules(block, used), external_reads))
              for block in large}
    return STYLE.sub(lambda match: match.group(1) + pruned.get(match.group(2), match.group(2)) + match.group(3), html)


def _cached(cache_dir: Path | None, inputs: tuple, compute: Callable[[], str]) -> str:
    if cache_dir is None:
        return compute()
    name = cache.key(*inputs, cache.code_digest(ROOT, [__name__])) + ".css"
    path = cache.entry(cache_dir, name, lambda path: path.write_text(compute(), encoding="utf-8"))
    return path.read_text(encoding="utf-8")


def _selector_can_match(prelude: str, used: set[str]) -> bool:
    return any(all(name in used for name in CLASS.findall(part)) for part in _top_level_split(prelude))


def _top_level_split(prelude: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in prelude:
        depth += char in "(["
        depth -= char in ")]"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _prune_rules(css: str, used: set[str]) -> str:
    out = []
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type == "qualified-rule":
            if _selector_can_match(tinycss2.serialize(rule.prelude), used):
                out.append(tinycss2.serialize([rule]))
        elif rule.type == "at-rule":
            if rule.lower_at_keyword in KEPT_AT_RULES or rule.content is None:
                out.append(tinycss2.serialize([rule]))
            else:  # @media, @supports: keep what inside can match
                inner = _prune_rules(tinycss2.serialize(rule.content), used)
                if inner:
                    out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{inner}}}")
    return "".join(out)


def _prune_properties(css: str, external_reads: set[str]) -> str:
    """Remove declarations of custom properties nothing reads, until none is left to remove."""
    while True:
        declared = set(DECLARED.findall(css))
        unread = declared - external_reads - set(VAR.findall(css))
        if not unread:
            return css
        css = _drop_declarations(css, unread)


def _drop_declarations(css: str, names: set[str]) -> str:
    out = []
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type == "qualified-rule":
            declarations = [
                declaration
                for declaration in tinycss2.parse_declaration_list(rule.content, skip_whitespace=True, skip_comments=True)
                if not (declaration.type == "declaration" and declaration.name in names)
            ]
            body = ";".join(tinycss2.serialize([declaration]).strip() for declaration in declarations)
            if body:
                out.append(f"{tinycss2.serialize(rule.prelude).strip()}{{{body}}}")
        elif rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword in {"media", "supports"}:
            inner = _drop_declarations(tinycss2.serialize(rule.content), names)
            if inner:
                out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{inner}}}")
        else:
            out.append(tinycss2.serialize([rule]))
    return "".join(out)

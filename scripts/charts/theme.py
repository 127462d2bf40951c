"""The one Altair/Vega-Lite theme of the site, in a light and a dark variant.

Backgrounds and text colours follow MkDocs Material 9.x: the light scheme is
white with ``--md-default-fg-color`` (black at 87 %), the dark "slate" scheme is
``hsla(225deg, 15%, 14%)`` = #1e2129 with ``hsla(225deg, 15%, 90%)`` text (values
taken from material/templates/assets/stylesheets, flattened onto the background
because Vega renders opaque colours more predictably than alpha).

Mark colours come from one semantic palette (``ROLES``): a colour stands for one meaning on
the whole site, in every chart, whatever the chart is about. Each role has a light and a dark
value, each with at least 3:1 contrast (WCAG 1.4.11, non-text) on its background; the dark
values are a little lighter, and chosen so that a label inside a bar takes the same ink (near
black or white) in both schemes. The light values are Okabe–Ito's blue, vermillion, bluish green
and reddish purple plus a violet, an olive, an amber and a grey, distinguishable under simulated
protan-, deutan- and tritanopia. Published specs carry the light values; ``swap_roles`` paints
them dark. ``palette_table()`` is the palette as data (role, colours, meaning, legend label):
the tests and the Methods page read it, and the build publishes it as ``charts/palette.json``.

Charts should not hard-code ink colours (axis, text): those come from the
config, which the exporter swaps for the dark variant.

Published specs carry only the part of the config their layout depends on (``layout_config``:
font sizes, label limits, the legend's place); the house style (fonts, inks, background) is
applied when the site draws a chart, beneath the spec's own config, as a reuser's vega-embed
``config`` or Altair theme is. So a newsroom's fonts and inks take effect without editing the
file, and meaning never rests on the config: role colours are on the marks and scales.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import altair as alt

Scheme = Literal["light", "dark"]
SCHEMES: tuple[Scheme, ...] = ("light", "dark")

# Named fonts only: the generic "system-ui" can resolve to one face when Vega measures labels on
# a canvas and another when the browser draws the SVG, which clips axis labels in live charts.
# Static SVGs are laid out at build time with DejaVu Sans (see static.MEASURE_FONTS), the widest
# face here, so whichever face a reader's browser picks, labels fit: narrower faces only leave
# a little more room. Nothing is downloaded for it.
FONT = "'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif"
MIN_FONT_SIZE = 12  # smallest text that stays legible when a chart is 320 px wide


@dataclass(frozen=True)
class Role:
    """One meaning a mark colour carries on the whole site."""

    name: str
    light: str
    dark: str
    meaning: str  # what the colour means, for the docs
    legend: str  # the legend label wherever a chart has a legend entry for it

    def colour(self, scheme: Scheme = "light") -> str:
        return self.light if scheme == "light" else self.dark


# The semantic palette. Order = legend order.
ROLES: dict[str, Role] = {
    role.name: role
    for role in (
        Role("linked", "#D55E00", "#E0701A",
             "The report codes it as linked: a demonstrable connection to the Islamic State in Syria and Iraq.",
             "Linked (report's coding)"),
        Role("inspired", "#0072B2", "#127EC6",
             "The report codes it as inspired: no proven connection to the Islamic State in Syria and Iraq.",
             "Inspired (report's coding)"),
        Role("reported", "#009E73", "#00A87B",
             "A figure as the report prints it (or counts from its tables), or an event outside its dataset as the "
             "report mentions it; no linked/inspired distinction.",
             "As the report gives it"),
        Role("derived", "#7744FF", "#8452FF",
             "Derived: our computation from the report's figures, not printed in it (drawn pale and dashed).",
             "Derived (our computation)"),
        Role("report-figure", "#B07A10", "#C6920F",
             "The report's printed figure where it does not fit its own counts (a mismatch in the ledger).",
             "As printed in the report (mismatch)"),
        Role("context", "#668844", "#7A9A55",
             "Context we add from public sources, not one of the report's counted attacks: the threat level, "
             "other events in Belgium (a raid, an arrest), attacks abroad, dated from public sources.",
             "Context (public sources)"),
        Role("highlight", "#CC79A7", "#D686B3",
             "The five entities the report considers parts of a whole (the Zerkani network and the Paris, "
             "Brussels, Verviers and Argenteuil cells); used for nothing else.",
             "Parts of a whole, in the report's view"),
        Role("neutral", "#808080", "#8c8c8c",
             "No category of its own: a whole or total, the rest, unknown, the base map.",
             "Other / the whole"),
    )
}

# Text drawn on a solid mark (a label inside a bar): whichever contrasts more with the fill.
# Not meaning-bearing; every role's fill takes the same one in both schemes (tested).
LABEL_INKS = ("#111111", "#ffffff")

# Kept for the linked/inspired distinction and older callers.
LINKED = ROLES["linked"].light
INSPIRED = ROLES["inspired"].light
NEUTRAL = ROLES["neutral"].light
LINK_TYPE_DOMAIN = ("linked", "inspired")
PALETTE = tuple(role.light for role in ROLES.values())  # config range "category" (light)


def colour(role: str, scheme: Scheme = "light") -> str:
    """The colour of a role (KeyError naming the roles for an unknown one)."""
    try:
        return ROLES[role].colour(scheme)
    except KeyError:
        raise KeyError(f"unknown colour role {role!r} (roles: {', '.join(ROLES)})") from None


def role_scale(roles: Sequence[str]) -> alt.Scale:
    """Colour scale for a field whose values are role names (site-wide: one colour, one meaning)."""
    return alt.Scale(domain=list(roles), range=[colour(role) for role in roles])


# Legend labels: the same text for a role in every chart.
LEGEND_LABEL_EXPR = " : ".join(
    [f"datum.label === {json.dumps(role.name)} ? {json.dumps(role.legend)}" for role in ROLES.values()] + ["datum.label"]
)


def role_legend(**properties: Any) -> alt.Legend:
    """A legend for a role-valued colour field, labelled with the roles' site-wide labels."""
    properties.setdefault("labelLimit", 300)
    return alt.Legend(title=None, labelExpr=LEGEND_LABEL_EXPR, **properties)


def palette_table() -> list[dict[str, str]]:
    """The palette as data: one row per role (role, light, dark, meaning, legend)."""
    return [
        {"role": r.name, "light": r.light, "dark": r.dark, "meaning": r.meaning, "legend": r.legend}
        for r in ROLES.values()
    ]


def role_colours(scheme: Scheme) -> dict[str, str]:
    """Colour → role name, for one scheme."""
    return {r.colour(scheme).lower(): r.name for r in ROLES.values()}


def swap_roles(node: Any, scheme: Scheme) -> Any:
    """A copy of a (light) spec fragment with every role colour replaced by its ``scheme`` value.

    Only whole string values are replaced, and never inside data or metadata.
    """
    lookup = {r.light.lower(): r.colour(scheme) for r in ROLES.values()}
    return _replace_colours(node, lookup)


def _replace_colours(node: Any, lookup: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            key: value if key in ("data", "datasets", "usermeta") else _replace_colours(value, lookup)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_replace_colours(value, lookup) for value in node]
    if isinstance(node, str):
        return lookup.get(node.lower(), node)
    return node


SEQUENTIAL_SCHEME = "viridis"  # perceptually uniform and colour-blind safe

BACKGROUND: dict[Scheme, str] = {"light": "#ffffff", "dark": "#1e2129"}

# Ink per scheme, from Material's --md-default-fg-color, --light, --lighter and
# --lightest flattened onto the background: text 16:1 / 8.9:1, muted text 4.6:1 / 4.9:1.
_INK: dict[Scheme, dict[str, str]] = {
    "light": {"text": "#212121", "muted": "#757575", "rule": "#adadad", "grid": "#ededed"},
    "dark": {"text": "#bfc1c6", "muted": "#8c8e95", "rule": "#5d5f66", "grid": "#363840"},
}

THEME_NAMES: dict[Scheme, str] = {"light": "belgium-light", "dark": "belgium-dark"}
# What published specs are built with: only the layout part of the config (see layout_config).
LAYOUT_THEME = "belgium-layout"

# The config keys a chart's layout depends on, kept in every published spec: label positions,
# tiers and wrapping are planned for these font sizes and limits, and the legend sits above the
# plot so the plot keeps the full width of a phone. Everything else is house style.
LAYOUT_KEYS: dict[str, frozenset[str]] = {
    "axis": frozenset({"labelFontSize", "labelLimit", "titleFontSize"}),
    "header": frozenset({"labelFontSize", "titleFontSize"}),
    "legend": frozenset({"labelFontSize", "labelLimit", "orient", "symbolSize", "titleFontSize"}),
    "text": frozenset({"fontSize"}),
    "title": frozenset({"anchor", "fontSize", "offset", "subtitleFontSize"}),
    "view": frozenset({"continuousHeight", "continuousWidth"}),
}
LAYOUT_TOP_LEVEL = frozenset({"padding"})


def config(scheme: Scheme) -> dict[str, Any]:
    """The Vega-Lite ``config`` object for one colour scheme (a fresh copy)."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown colour scheme {scheme!r} (expected one of {SCHEMES})")
    ink = _INK[scheme]
    axis = {
        "domainColor": ink["rule"],
        "gridColor": ink["grid"],
        "labelColor": ink["muted"],
        "labelFont": FONT,
        "labelFontSize": 12,
        "labelLimit": 180,
        "tickColor": ink["rule"],
        "titleColor": ink["text"],
        "titleFont": FONT,
        "titleFontSize": 12,
        "titleFontWeight": "normal",
    }
    return copy.deepcopy(
        {
            "background": BACKGROUND[scheme],
            "font": FONT,
            "padding": 4,
            "view": {"stroke": None, "continuousWidth": 640, "continuousHeight": 320},
            "title": {
                "anchor": "start",
                "color": ink["text"],
                "font": FONT,
                "fontSize": 16,
                "fontWeight": 600,
                "subtitleColor": ink["muted"],
                "subtitleFont": FONT,
                "subtitleFontSize": 13,
                "offset": 12,
            },
            "axis": axis,
            "legend": {
                "labelColor": ink["text"],
                "labelFont": FONT,
                "labelFontSize": 12,
                "labelLimit": 240,
                # Legends above the plot keep the plot full-width on narrow screens.
                "orient": "top",
                "symbolSize": 120,
                "titleColor": ink["text"],
                "titleFont": FONT,
                "titleFontSize": 12,
                "titleFontWeight": "normal",
            },
            "header": {
                "labelColor": ink["text"],
                "labelFont": FONT,
                "labelFontSize": 12,
                "titleColor": ink["text"],
                "titleFont": FONT,
                "titleFontSize": 13,
            },
            "mark": {"color": colour("reported", scheme)},
            "text": {"color": ink["text"], "font": FONT, "fontSize": 12},
            "rule": {"color": ink["rule"]},
            "range": {
                "category": [role.colour(scheme) for role in ROLES.values()],
                "ordinal": {"scheme": SEQUENTIAL_SCHEME},
                "heatmap": {"scheme": SEQUENTIAL_SCHEME},
                "ramp": {"scheme": SEQUENTIAL_SCHEME},
            },
        }
    )


def layout_config() -> dict[str, Any]:
    """The part of the site's config that published specs carry: sizes and places, no style."""
    full = config("light")
    layout: dict[str, Any] = {key: full[key] for key in LAYOUT_TOP_LEVEL}
    for group, keys in LAYOUT_KEYS.items():
        layout[group] = {key: value for key, value in full[group].items() if key in keys}
    return layout


# Placeholder colours for drawing a chart once for both schemes (see scripts.charts.static); a
# family no chart would pick, and a chart whose spec holds one is drawn once per scheme instead.
PLACEHOLDER_PREFIX = "#fe0d"


def ink_placeholders() -> tuple[dict[str, Any], dict[Scheme, dict[str, str]]]:
    """The light config with every value that differs between the schemes replaced by a
    placeholder colour, and for each scheme what each placeholder stands for."""
    inks: dict[Scheme, dict[str, str]] = {scheme: {} for scheme in SCHEMES}
    placeholders: dict[tuple[str, ...], str] = {}

    def token_for(variants: tuple[str, ...]) -> str:
        token = placeholders.setdefault(variants, f"{PLACEHOLDER_PREFIX}{len(placeholders):02x}")
        for scheme, colour in zip(SCHEMES, variants):
            inks[scheme][token] = colour
        return token

    def swap(light: dict, *others: dict) -> dict:
        out = {}
        for key, value in light.items():
            variants = (value, *(other[key] for other in others))
            if isinstance(value, dict):
                out[key] = swap(value, *(other[key] for other in others))
            elif len(set(map(str, variants))) == 1:
                out[key] = value
            elif all(isinstance(v, str) and v.startswith("#") for v in variants):
                out[key] = token_for(variants)
            elif all(isinstance(v, list) and len(v) == len(value) for v in variants) and all(
                isinstance(item, str) and item.startswith("#") for v in variants for item in v
            ):  # a list of colours (the category range): one placeholder per item
                out[key] = [
                    item[0] if len(set(item)) == 1 else token_for(item) for item in zip(*variants)
                ]
            else:
                raise ValueError(f"theme key {key!r} differs between schemes but is not a colour")
        return out

    template = swap(config(SCHEMES[0]), *(config(scheme) for scheme in SCHEMES[1:]))
    for role in ROLES.values():  # role colours in the marks (see role_placeholders)
        variants = tuple(role.colour(scheme) for scheme in SCHEMES)
        if len(set(variants)) > 1:
            token = placeholders.setdefault(variants, f"{PLACEHOLDER_PREFIX}{len(placeholders):02x}")
            for scheme, value in zip(SCHEMES, variants):
                inks[scheme][token] = value
    return template, inks


def role_placeholders(node: Any) -> Any:
    """A spec fragment with each role colour that differs between the schemes replaced by the
    placeholder ``ink_placeholders`` gives it (drawn once, painted light and dark)."""
    _, inks = ink_placeholders()
    lookup = {}
    for token, light in inks["light"].items():
        if light.lower() in role_colours("light"):
            lookup[light.lower()] = token
    return _replace_colours(node, lookup)


def link_type_scale(domain: tuple[str, str] = LINK_TYPE_DOMAIN) -> alt.Scale:
    """Colour scale for the linked/inspired distinction; pass the labels as they appear in the data."""
    return alt.Scale(domain=list(domain), range=[LINKED, INSPIRED])


def _theme_function(scheme: Scheme):
    def theme() -> alt.theme.ThemeConfig:
        return {"config": config(scheme)}  # type: ignore[typeddict-item]

    theme.__name__ = f"{THEME_NAMES[scheme].replace('-', '_')}_theme"
    return theme


for _scheme in SCHEMES:
    # Registered, not enabled: notebooks may opt in; the site's renders apply config() themselves.
    alt.theme.register(THEME_NAMES[_scheme], enable=False)(_theme_function(_scheme))


@alt.theme.register(LAYOUT_THEME, enable=False)
def _layout_theme() -> alt.theme.ThemeConfig:
    return {"config": layout_config()}  # type: ignore[typeddict-item]

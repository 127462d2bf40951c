"""The one Altair/Vega-Lite theme of the site, in a light and a dark variant.

Backgrounds and text colours follow MkDocs Material 9.x: the light scheme is
white with ``--md-default-fg-color`` (black at 87 %), the dark "slate" scheme is
``hsla(225deg, 15%, 14%)`` = #1e2129 with ``hsla(225deg, 15%, 90%)`` text (values
taken from material/templates/assets/stylesheets, flattened onto the background
because Vega renders opaque colours more predictably than alpha).

Mark colours are shared by both variants, so a colour means the same thing in
either scheme: every one has at least 3:1 contrast (WCAG 1.4.11, non-text) on
both backgrounds. That band rules out Okabe–Ito's orange, sky blue, yellow and
black, so the palette keeps its blue, vermillion, bluish green and reddish
purple and adds a violet and an olive chosen to stay distinguishable under
simulated protan-, deutan- and tritanopia.

Charts should not hard-code ink colours (axis, text): those come from the
config, which the exporter swaps for the dark variant.
"""

from __future__ import annotations

import copy
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

# Categorical palette shared by light and dark (see module docstring).
PALETTE = (
    "#0072B2",  # blue (Okabe–Ito)
    "#D55E00",  # vermillion (Okabe–Ito)
    "#009E73",  # bluish green (Okabe–Ito)
    "#CC79A7",  # reddish purple (Okabe–Ito)
    "#7744FF",  # violet
    "#668844",  # olive
)
NEUTRAL = "#808080"  # "other" / "unknown" categories; 3.9:1 on white, 4.1:1 on slate

# The report's central distinction, coloured the same in every chart on the site.
LINKED = "#D55E00"  # plots with a demonstrable link to the Islamic State
INSPIRED = "#0072B2"  # plots merely inspired by it
LINK_TYPE_DOMAIN = ("linked", "inspired")

SEQUENTIAL_SCHEME = "viridis"  # perceptually uniform and colour-blind safe

BACKGROUND: dict[Scheme, str] = {"light": "#ffffff", "dark": "#1e2129"}

# Ink per scheme, from Material's --md-default-fg-color, --light, --lighter and
# --lightest flattened onto the background: text 16:1 / 8.9:1, muted text 4.6:1 / 4.9:1.
_INK: dict[Scheme, dict[str, str]] = {
    "light": {"text": "#212121", "muted": "#757575", "rule": "#adadad", "grid": "#ededed"},
    "dark": {"text": "#bfc1c6", "muted": "#8c8e95", "rule": "#5d5f66", "grid": "#363840"},
}

THEME_NAMES: dict[Scheme, str] = {"light": "belgium-light", "dark": "belgium-dark"}


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
            "mark": {"color": PALETTE[0]},
            "text": {"color": ink["text"], "font": FONT, "fontSize": 12},
            "rule": {"color": ink["rule"]},
            "range": {
                "category": list(PALETTE),
                "ordinal": {"scheme": SEQUENTIAL_SCHEME},
                "heatmap": {"scheme": SEQUENTIAL_SCHEME},
                "ramp": {"scheme": SEQUENTIAL_SCHEME},
            },
        }
    )


# Placeholder colours for drawing a chart once for both schemes (see scripts.charts.static); a
# family no chart would pick, and a chart whose spec holds one is drawn once per scheme instead.
PLACEHOLDER_PREFIX = "#fe0d"


def ink_placeholders() -> tuple[dict[str, Any], dict[Scheme, dict[str, str]]]:
    """The light config with every value that differs between the schemes replaced by a
    placeholder colour, and for each scheme what each placeholder stands for."""
    inks: dict[Scheme, dict[str, str]] = {scheme: {} for scheme in SCHEMES}
    placeholders: dict[tuple[str, ...], str] = {}

    def swap(light: dict, *others: dict) -> dict:
        out = {}
        for key, value in light.items():
            variants = (value, *(other[key] for other in others))
            if isinstance(value, dict):
                out[key] = swap(value, *(other[key] for other in others))
            elif len(set(map(str, variants))) == 1:
                out[key] = value
            elif all(isinstance(v, str) and v.startswith("#") for v in variants):
                token = placeholders.setdefault(variants, f"{PLACEHOLDER_PREFIX}{len(placeholders):02x}")
                for scheme, colour in zip(SCHEMES, variants):
                    inks[scheme][token] = colour
                out[key] = token
            else:
                raise ValueError(f"theme key {key!r} differs between schemes but is not a colour")
        return out

    template = swap(config(SCHEMES[0]), *(config(scheme) for scheme in SCHEMES[1:]))
    return template, inks


def link_type_scale(domain: tuple[str, str] = LINK_TYPE_DOMAIN) -> alt.Scale:
    """Colour scale for the linked/inspired distinction; pass the labels as they appear in the data."""
    return alt.Scale(domain=list(domain), range=[LINKED, INSPIRED])


def _theme_function(scheme: Scheme):
    def theme() -> alt.theme.ThemeConfig:
        return {"config": config(scheme)}  # type: ignore[typeddict-item]

    theme.__name__ = f"{THEME_NAMES[scheme].replace('-', '_')}_theme"
    return theme


for _scheme in SCHEMES:
    # Registered, not enabled: notebooks may opt in; exports embed config() explicitly.
    alt.theme.register(THEME_NAMES[_scheme], enable=False)(_theme_function(_scheme))

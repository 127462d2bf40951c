"""Chart infrastructure: context, registry, theme, description helpers and exporters.

Every test registers its demo charts in its own ``Registry`` so the site's charts
(and other tests) never interfere.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import altair as alt
import jsonschema
import pandas as pd
import pytest

from scripts.errors import BuildError
from scripts.project import SECTION_IDS as SECTIONS, identity
from scripts.charts import export, static, theme
from scripts.charts.context import LEDGER_COLUMNS, ChartContext, format_value
from scripts.charts.describe import fill, from_ledger, list_phrase, top_categories
from scripts.charts.registry import (
    ChartBuildError,
    ChartDefinitionError,
    Registry,
    default_registry,
    registered_charts,
    section_modules,
)

HOSTILE_LABEL = "<script>alert(1)</script>&\"'"
DEMO_ID = "overview-demo-linked-vs-inspired"
VEGA_LITE_SCHEMA = Path(alt.__file__).parent / "vegalite" / "v6" / "schema" / "vega-lite-schema.json"


# ---------------------------------------------------------------------------
# Fixtures


def make_ledger(rows: dict[str, dict]) -> pd.DataFrame:
    defaults = {
        "section": "overview",
        "statement": "",
        "formula": "",
        "reported_value": math.nan,
        "reported_text": "",
        "source_ref": "p. 1",
        "status": "verified",
    }
    return pd.DataFrame(
        [{**defaults, **row} for row in rows.values()],
        index=pd.Index(list(rows), name="id"),
        columns=list(LEDGER_COLUMNS),
    )


@pytest.fixture
def ctx() -> ChartContext:
    return demo_context()


def demo_context() -> ChartContext:
    plots = pd.DataFrame(
        {
            "link_type": ["linked", "inspired", HOSTILE_LABEL],
            "plots": [12, 7, 1],
            "share": [0.6, 0.35, 0.05],
        }
    )
    ledger = make_ledger(
        {
            "demo-plots": {"value": 20, "unit": "plots", "statement": "Plots in the data set"},
            "demo-linked-share": {"value": 0.6, "unit": "share", "statement": "Share of plots linked to IS"},
        }
    )
    return ChartContext(tables={"plots": plots}, ledger=ledger)


DEMO_COLUMNS = {"link_type": ("Linked or inspired.", None), "plots": ("Plots.", "plots"),
                "share": ("Share of all plots.", "share")}


def add_demo_chart(registry: Registry, chart_id: str = DEMO_ID, section: str = "overview") -> None:
    @registry.chart(
        id=chart_id,
        section=section,
        title="Most plots were linked to the Islamic State",
        source="Demo data",
        description=from_ledger("{demo-linked-share} of {demo-plots} plots were linked."),
        columns=DEMO_COLUMNS,
    )
    def demo(ctx: ChartContext):
        frame = ctx.table("plots")
        figure = (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                x=alt.X("plots:Q", title="Plots"),
                y=alt.Y("link_type:N", title=None, sort="-x"),
                color=alt.Color("link_type:N", scale=theme.link_type_scale(("linked", "inspired")), legend=None),
                tooltip=["link_type:N", "plots:Q", alt.Tooltip("share:Q", format=".0%")],
            )
            .properties(width="container")
        )
        return figure, frame


@pytest.fixture
def registry() -> Registry:
    return demo_registry()


def demo_registry() -> Registry:
    registry = Registry()
    add_demo_chart(registry)
    return registry


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()
    }


# ---------------------------------------------------------------------------
# Context


def test_value_returns_numbers_and_names_missing_findings(ctx):
    assert ctx.value("demo-plots") == 20 and isinstance(ctx.value("demo-plots"), int)
    assert ctx.value("demo-linked-share") == pytest.approx(0.6)
    with pytest.raises(KeyError, match="demo-nope"):
        ctx.value("demo-nope")


def test_value_without_a_number_is_a_key_error_naming_the_finding():
    ledger = make_ledger({"demo-pending": {"value": math.nan, "unit": "count", "status": "unverified"}})
    with pytest.raises(KeyError, match=r"demo-pending.*unverified"):
        ChartContext(tables={}, ledger=ledger).value("demo-pending")


def test_ledger_with_an_id_column_is_indexed_by_it():
    ledger = make_ledger({"demo-plots": {"value": 20.0, "unit": "plots"}}).reset_index()
    ctx = ChartContext(tables={}, ledger=ledger)
    assert ctx.value("demo-plots") == 20 and isinstance(ctx.value("demo-plots"), int)


def test_table_lookup_lists_available_tables(ctx):
    with pytest.raises(KeyError, match="plots"):
        ctx.table("nope")


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (0.912, "share", "91%"),
        (0.6, "share", "60%"),
        (0.004, "share", "0.4%"),
        (0.9996, "share", "99.96%"),
        (1.0, "share", "100%"),
        (45.0, "percent", "45%"),
        (4123, "people", "4,123"),
        (413.0, "incidents", "413"),
        (2.5, "count", "2.5"),
        (137_500_000, "eur", "€137.5 million"),
        (2_000_000_000, "eur", "€2 billion"),
        (12_345, "eur", "€12,345"),
        (2016, "year", "2016"),
        (1234, "arrest_actions", "1,234"),
        (3.25, "days", "3.25"),
    ],
)
def test_format_value(value, unit, expected):
    assert format_value(value, unit) == expected


def test_fmt_uses_the_ledger_unit(ctx):
    assert ctx.fmt("demo-linked-share") == "60%"
    assert ctx.fmt("demo-plots") == "20"


# ---------------------------------------------------------------------------
# Descriptions


def test_description_helpers(ctx):
    assert fill("{demo-linked-share} of {demo-plots}", ctx) == "60% of 20"
    assert from_ledger("{demo-plots} plots")(ctx) == "20 plots"
    assert list_phrase(["a"]) == "a"
    assert list_phrase(["a", "b", "c"]) == "a, b and c"
    assert top_categories(ctx.table("plots"), "link_type", "plots", n=2) == "linked (12) and inspired (7)"
    with pytest.raises(ValueError, match="placeholder"):
        from_ledger("no numbers here")


# ---------------------------------------------------------------------------
# Registry


def test_duplicate_ids_are_rejected(registry):
    with pytest.raises(ChartDefinitionError, match="duplicate chart id"):
        add_demo_chart(registry)


@pytest.mark.parametrize(
    "bad_id",
    [
        "",
        "Overview-chart",
        "overview_chart",
        "overview--chart",
        "-overview",
        "overview-",
        "overview chart",
        "ovérview",
        "a" * 81,
        None,
    ],
)
def test_bad_ids_are_rejected(bad_id):
    with pytest.raises(ChartDefinitionError, match="kebab-case"):
        add_demo_chart(Registry(), chart_id=bad_id)


def test_unknown_section_is_rejected():
    with pytest.raises(ChartDefinitionError, match="unknown section"):
        add_demo_chart(Registry(), section="appendix")


def test_site_registry_discovers_every_section_module():
    charts = registered_charts()  # imports every section module
    assert charts == default_registry.charts()
    assert {chart.section for chart in charts} == set(SECTIONS)
    # Each module holds the charts of the section it is named after.
    assert all(chart.build_function.__module__.rsplit(".", 1)[1] == chart.section for chart in charts)


def _section_package(tmp_path, monkeypatch, name: str, modules: dict[str, str]) -> str:
    """A throwaway package of section modules, importable under ``name`` for this test only."""
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("REGISTRY = None\n", encoding="utf-8")
    for module, body in modules.items():
        (package / f"{module}.py").write_text(body, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    for module in [name, *(f"{name}.{m}" for m in modules)]:
        monkeypatch.delitem(sys.modules, module, raising=False)
    return name


def demo_id(section: str) -> str:
    return section.replace("_", "-") + "-demo"


DEMO_SECTION_MODULE = """
import altair as alt
import pandas as pd
from {package} import REGISTRY

@REGISTRY.chart(id="{chart_id}", section="{section}", title="T", source="S", description=lambda ctx: "d")
def demo(ctx):
    return alt.Chart(pd.DataFrame()).mark_bar(), pd.DataFrame()
"""


def test_section_modules_are_found_by_listing_their_folder_in_section_order(tmp_path, monkeypatch):
    first, last = SECTIONS[0], SECTIONS[-1]
    package = _section_package(tmp_path, monkeypatch, "demo_sections_found", {
        section: DEMO_SECTION_MODULE.format(package="demo_sections_found", section=section, chart_id=demo_id(section)) for section in (last, first)
    } | {"_helpers": "raise AssertionError('a private module is not a section')\n"})
    registry = Registry(package)
    __import__(package).REGISTRY = registry
    assert section_modules(package) == (f"{package}.{first}", f"{package}.{last}")
    registry.discover()
    assert [chart.id for chart in registry.charts()] == [demo_id(first), demo_id(last)]


def test_a_section_module_named_after_no_section_is_refused(tmp_path, monkeypatch):
    package = _section_package(tmp_path, monkeypatch, "demo_sections_refused", {SECTIONS[0]: "", "appendix": ""})
    with pytest.raises(ChartDefinitionError, match=r"appendix named after no section"):
        section_modules(package)


def test_chart_returning_the_wrong_thing_is_reported(ctx):
    registry = Registry()
    registry.chart(id="overview-bad", section="overview", title="T", source="S", description=lambda ctx: "d")(
        lambda ctx: alt.Chart(ctx.table("plots")).mark_bar()
    )
    with pytest.raises(ChartBuildError, match="overview-bad"):
        export.build_specs(ctx, registry)


def test_description_with_a_missing_finding_names_the_chart(ctx):
    registry = Registry()
    registry.chart(
        id="overview-undescribed", section="overview", title="T", source="S", description=from_ledger("{demo-nope}")
    )(lambda ctx: (alt.Chart(ctx.table("plots")).mark_bar(), ctx.table("plots")))
    with pytest.raises(ChartBuildError, match=r"overview-undescribed.*demo-nope"):
        export.build_specs(ctx, registry)


# ---------------------------------------------------------------------------
# Theme


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    else:
        yield path, node


def test_material_backgrounds():
    assert theme.BACKGROUND == {"light": "#ffffff", "dark": "#1e2129"}


@pytest.mark.parametrize("role", list(theme.ROLES))
def test_mark_colours_contrast_with_their_background(role):
    for scheme, background in theme.BACKGROUND.items():
        colour = theme.colour(role, scheme)
        assert contrast(colour, background) >= 3.0, (role, scheme, colour)


@pytest.mark.parametrize("scheme", theme.SCHEMES)
def test_text_is_legible(scheme):
    config = theme.config(scheme)
    sizes = [value for path, value in _leaves(config) if path[-1].lower().endswith("fontsize")]
    assert sizes and min(sizes) >= theme.MIN_FONT_SIZE
    text_colours = [
        value
        for path, value in _leaves(config)
        if path[0] in {"axis", "legend", "title", "header", "text"}
        and path[-1] in {"labelColor", "titleColor", "subtitleColor", "color"}
    ]
    assert text_colours
    for colour in text_colours:
        assert contrast(colour, config["background"]) >= 4.5, (scheme, colour)
    assert config["font"] == theme.FONT


def test_light_and_dark_configs_have_the_same_shape():
    light, dark = (theme.config(scheme) for scheme in theme.SCHEMES)
    assert [path for path, _ in _leaves(light)] == [path for path, _ in _leaves(dark)]
    assert light["range"]["category"] == [theme.colour(role, "light") for role in theme.ROLES]
    assert dark["range"]["category"] == [theme.colour(role, "dark") for role in theme.ROLES]


def test_themes_are_registered_with_altair():
    for scheme, name in theme.THEME_NAMES.items():
        assert name in alt.theme.names()
        with alt.theme.enable(name):
            assert alt.theme.get()()["config"] == theme.config(scheme)


def test_restyle_swaps_theme_but_keeps_chart_overrides(ctx):
    registry = Registry()
    registry.chart(id="overview-styled", section="overview", title="T", source="S", description=lambda ctx: "d")(
        lambda ctx: (
            alt.Chart(ctx.table("plots")).mark_bar().encode(x="plots:Q").configure_axis(labelColor="#123456"),
            ctx.table("plots"),
        )
    )
    (built,) = export.build_specs(ctx, registry)
    dark = export.restyle(built.spec, "dark")
    assert dark["config"]["background"] == theme.BACKGROUND["dark"]
    assert dark["config"]["axis"]["labelColor"] == "#123456"
    assert dark["config"]["axis"]["titleColor"] == theme.config("dark")["axis"]["titleColor"]
    assert "background" not in built.spec["config"]  # input untouched: the house style is added when drawn


# ---------------------------------------------------------------------------
# build_all


def test_spec_is_valid_vega_lite_with_metadata(ctx, registry, tmp_path):
    export.build_all(ctx, tmp_path, registry=registry)
    spec = json.loads((tmp_path / DEMO_ID / "v1" / f"{DEMO_ID}.vl.json").read_text(encoding="utf-8"))
    schema = json.loads(VEGA_LITE_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(spec, schema)
    assert spec["config"] == theme.layout_config()  # sizes and places only; the house style is the drawer's
    assert spec["width"] == "container"
    assert "url" not in json.dumps(spec["data"])  # data inline, never a side file
    assert spec["usermeta"] == {
        "id": DEMO_ID,
        "section": "overview",
        "title": "Most plots were linked to the Islamic State",
        "description": "60% of 20 plots were linked.",
        "source": "Demo data",
        "licence": "CC BY 4.0",
        "citation": identity().report.full,
        "credit": identity().credit,
        "licence_url": "https://creativecommons.org/licenses/by/4.0/",
        "version": 1,
        "date": "",
        # Relative to the site's root: charts/ does not depend on where the site is deployed.
        "url": f"charts/{DEMO_ID}/v1/{DEMO_ID}.vl.json",
        "page": f"#chart-{DEMO_ID}",
    }
    assert spec["description"] == "60% of 20 plots were linked."


def test_published_spec_does_not_depend_on_the_active_theme(ctx, registry, tmp_path):
    export.build_all(ctx, tmp_path / "a", registry=registry)
    with alt.theme.enable("dark"):
        export.build_all(ctx, tmp_path / "b", registry=registry)
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_large_frames_are_inlined(tmp_path):
    frame = pd.DataFrame({"x": range(6000), "y": [i % 7 for i in range(6000)]})
    registry = Registry()
    registry.chart(id="overview-large", section="overview", title="T", source="S", description=lambda ctx: "d",
                   columns={"x": ("X.", "points"), "y": ("Y.", "points")})(
        lambda ctx: (alt.Chart(frame).mark_point().encode(x="x:Q", y="y:Q"), frame)
    )
    (built,) = export.build_specs(ChartContext(tables={}, ledger=make_ledger({})), registry)
    assert sum(len(rows) for rows in built.spec["datasets"].values()) == 6000


def test_csv_equals_the_dataframe(ctx, registry, tmp_path):
    export.build_all(ctx, tmp_path, registry=registry)
    raw = (tmp_path / DEMO_ID / "v1" / f"{DEMO_ID}.csv").read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / DEMO_ID / "v1" / f"{DEMO_ID}.csv"), ctx.table("plots"))


def test_index_lists_the_chart(ctx, registry, tmp_path):
    add_demo_chart(registry, chart_id="geography-demo", section="geography")
    add_demo_chart(registry, chart_id="aaa-overview-demo", section="overview")
    catalogue = export.build_all(ctx, tmp_path, registry=registry)
    index = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert index == catalogue
    assert [item["id"] for item in index] == ["aaa-overview-demo", DEMO_ID, "geography-demo"]
    demo = index[1]
    assert demo["title"] == "Most plots were linked to the Islamic State"
    assert demo["description"] == "60% of 20 plots were linked."
    for name in demo["files"].values():
        assert (tmp_path / name).is_file()


def test_build_is_byte_identical_on_rerun(ctx, registry, tmp_path):
    export.build_all(ctx, tmp_path / "first", registry=registry)
    export.build_all(ctx, tmp_path / "second", registry=registry)
    first = snapshot(tmp_path / "first")
    assert first == snapshot(tmp_path / "second")
    export.build_all(ctx, tmp_path / "first", registry=registry)
    assert snapshot(tmp_path / "first") == first


def test_hostile_label_is_valid_json(ctx, registry, tmp_path):
    export.build_all(ctx, tmp_path, registry=registry)
    text = (tmp_path / DEMO_ID / "v1" / f"{DEMO_ID}.vl.json").read_text(encoding="utf-8")
    assert "<script" not in text  # safe even if inlined into a page
    spec = json.loads(text)
    values = [row["link_type"] for rows in spec["datasets"].values() for row in rows]
    assert HOSTILE_LABEL in values


def test_stale_chart_files_are_removed_and_others_kept(ctx, registry, tmp_path):
    add_demo_chart(registry, chart_id="overview-retired")
    export.build_all(ctx, tmp_path, registry=registry)
    (tmp_path / "README.md").write_text("kept\n")
    (tmp_path / ".gitkeep").write_text("")
    current = Registry()
    add_demo_chart(current)
    export.build_all(ctx, tmp_path, registry=current)
    assert sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")) == sorted([
        ".gitkeep",
        "README.md",
        "index.json",
        export.PALETTE_FILE,
        export.THEME_FILE,
        DEMO_ID,
        f"{DEMO_ID}/v1",
        f"{DEMO_ID}/v1/{DEMO_ID}.csv",
        f"{DEMO_ID}/v1/{DEMO_ID}.schema.json",
        f"{DEMO_ID}/v1/{DEMO_ID}.vl.json",
        f"{DEMO_ID}/v1/{DEMO_ID}.xlsx",
    ])


def test_failing_chart_leaves_previous_outputs_untouched(ctx, registry, tmp_path):
    out = tmp_path / "charts"
    export.build_all(ctx, out, registry=registry)
    before = snapshot(out)

    @registry.chart(id="overview-broken", section="overview", title="T", source="S", description=lambda ctx: "d")
    def broken(ctx):
        raise ValueError("boom")

    with pytest.raises(ChartBuildError, match=r"overview-broken.*boom"):
        export.build_all(ctx, out, registry=registry)
    assert snapshot(out) == before
    assert [path.name for path in tmp_path.iterdir()] == ["charts"]  # no staging left behind


# ---------------------------------------------------------------------------
# Site assets


@pytest.fixture
def published(ctx, registry, tmp_path) -> Path:
    out = tmp_path / "charts"
    export.build_all(ctx, out, registry=registry)
    return out


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> SimpleNamespace:
    """The demo chart published and drawn once, from an empty render cache (read-only)."""
    root = tmp_path_factory.mktemp("drawn")
    export.build_all(demo_context(), root / "charts", registry=demo_registry())
    metas = export.export_site_assets(root / "charts", root / "site", cache_dir=root / "cache")
    return SimpleNamespace(charts=root / "charts", site=root / "site", cache=root / "cache", metas=metas)


def test_site_assets_render_light_and_dark(drawn):
    metas = drawn.metas
    chart_dir = drawn.site / DEMO_ID
    assert sorted(path.name for path in chart_dir.iterdir()) == sorted([*export.SITE_ASSET_FILES, "meta.json"])
    for scheme in theme.SCHEMES:
        svg = (chart_dir / f"{scheme}.svg").read_text(encoding="utf-8")
        root = ET.fromstring(svg)  # well-formed XML
        assert root.attrib["width"] == str(export.STATIC_WIDTH)  # "container" replaced
        assert theme.BACKGROUND[scheme] in svg
        assert (chart_dir / f"{scheme}.png").read_bytes().startswith(b"\x89PNG")
        vega = json.loads((chart_dir / f"{scheme}.vg.json").read_text(encoding="utf-8"))
        assert vega["background"] == theme.BACKGROUND[scheme]
        # Compiled at the static size, so the live view takes the SVG's exact box.
        assert "containerSize" not in json.dumps(vega.get("signals", []))
        assert vega["width"] == export.STATIC_WIDTH
    meta = json.loads((chart_dir / "meta.json").read_text(encoding="utf-8"))
    assert metas == [meta]
    assert meta["width"] == export.STATIC_WIDTH and meta["height"] > 0
    assert meta["description"] == "60% of 20 plots were linked."


def test_hostile_label_is_escaped_in_svg(drawn, bad_input):
    for scheme in theme.SCHEMES:
        svg = (drawn.site / DEMO_ID / f"{scheme}.svg").read_text(encoding="utf-8")
        assert "<script" not in svg
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in svg
        texts = ["".join(node.itertext()) for node in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
        assert HOSTILE_LABEL in texts  # escaped in the file, intact once parsed
    bad_input("chart exporter: markup, ampersand and quotes in a category label", "escaped")


def test_site_assets_accept_a_context_or_specs(ctx, registry, published, tmp_path):
    cache = tmp_path / "cache"
    export.export_site_assets(published, tmp_path / "from-dir", cache_dir=cache)
    export.export_site_assets(ctx, tmp_path / "from-ctx", cache_dir=cache, registry=registry)
    spec = json.loads((published / DEMO_ID / "v1" / f"{DEMO_ID}.vl.json").read_text(encoding="utf-8"))
    export.export_site_assets({DEMO_ID: spec}, tmp_path / "from-specs", cache_dir=cache)
    assert snapshot(tmp_path / "from-dir") == snapshot(tmp_path / "from-ctx") == snapshot(tmp_path / "from-specs")


def test_site_assets_are_deterministic_and_cache_hits_are_identical(drawn, tmp_path, monkeypatch):
    export.export_site_assets(drawn.charts, tmp_path / "cold", cache_dir=tmp_path / "cache")
    cold = snapshot(drawn.site)
    assert cold == snapshot(tmp_path / "cold")  # rendering itself is deterministic

    def no_rendering(*args, **kwargs):
        raise AssertionError("cache miss: vl-convert was called")

    for name in ("vegalite_to_svg", "vegalite_to_vega", "vega_to_svg", "svg_to_png"):
        monkeypatch.setattr(export.vlc, name, no_rendering)
    # In this process, where vl-convert is patched: a miss would fail here.
    export.export_site_assets(drawn.charts, tmp_path / "warm", cache_dir=drawn.cache, max_workers=0)
    assert snapshot(tmp_path / "warm") == cold


def test_cache_key_changes_with_the_spec(drawn, tmp_path):
    spec = json.loads((drawn.charts / DEMO_ID / "v1" / f"{DEMO_ID}.vl.json").read_text(encoding="utf-8"))
    changed = json.loads(json.dumps(spec))
    changed["usermeta"]["title"] = "Another title"
    shutil.copytree(drawn.cache, tmp_path / "cache")  # holds the demo's drawing, and nothing else
    (first,) = export.export_site_assets({DEMO_ID: spec}, tmp_path / "a", cache_dir=tmp_path / "cache")
    (second,) = export.export_site_assets({DEMO_ID: changed}, tmp_path / "b", cache_dir=tmp_path / "cache")
    assert first["hash"] != second["hash"]
    assert len([path for path in (tmp_path / "cache").iterdir() if not path.name.startswith(".")]) == 2


def test_stale_site_asset_directories_are_removed(drawn, tmp_path):
    site = tmp_path / "site"
    spec = json.loads((drawn.charts / DEMO_ID / "v1" / f"{DEMO_ID}.vl.json").read_text(encoding="utf-8"))
    shutil.copytree(drawn.cache, tmp_path / "cache")
    export.export_site_assets({DEMO_ID: spec, "overview-retired": spec}, site, cache_dir=tmp_path / "cache")
    (site / "shared-assets").mkdir()  # not ours: no meta.json
    export.export_site_assets({DEMO_ID: spec}, site, cache_dir=tmp_path / "cache")
    assert sorted(path.name for path in site.iterdir()) == [DEMO_ID, "shared-assets"]


def test_static_spec_only_rewrites_layout(ctx, registry):
    (built,) = export.build_specs(ctx, registry)
    spec = dict(built.spec, datasets={"d": [{"width": "container"}]})
    fixed = export.static_spec(spec)
    assert fixed["width"] == export.STATIC_WIDTH
    assert fixed["datasets"] == {"d": [{"width": "container"}]}
    assert spec["width"] == "container"  # input untouched


def test_vega_lite_version_matches_altair():
    assert alt.SCHEMA_VERSION.lstrip("v").startswith(export.vegalite_version() + ".")


# ---------------------------------------------------------------------------
# Versions: a published chart's data never changes under its URL


def corrections(*rows: tuple[str, str, int | None]) -> pd.DataFrame:
    """A corrections log: the first publication, then (date, scope, chart_version) rows."""
    frame = pd.DataFrame(
        [("2026-01-05", "site", None), *rows], columns=["date", "scope", "chart_version"]
    ).assign(version="1.0.0", change="c")
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    frame["chart_version"] = frame["chart_version"].astype("Int64")
    return frame


def with_tables(ctx: ChartContext, **tables: pd.DataFrame) -> ChartContext:
    return ChartContext(tables={**ctx.tables, **tables}, ledger=ctx.ledger)


def test_first_version_is_dated_by_the_first_publication(ctx, registry, tmp_path):
    ctx = with_tables(ctx, corrections=corrections())
    (entry,) = export.build_all(ctx, tmp_path, registry=registry)
    assert (entry["version"], entry["date"]) == (1, "2026-01-05")
    spec = json.loads((tmp_path / DEMO_ID / "v1" / f"{DEMO_ID}.vl.json").read_text(encoding="utf-8"))
    assert spec["usermeta"]["date"] == "2026-01-05"


def test_changed_data_without_a_logged_version_is_refused(ctx, registry, tmp_path):
    export.build_all(ctx, tmp_path, registry=registry)
    before = snapshot(tmp_path)
    plots = ctx.table("plots").assign(plots=[13, 6, 1])
    with pytest.raises(ChartBuildError, match=rf"would change.*{DEMO_ID} \(charts/{DEMO_ID}/v1/{DEMO_ID}\.csv: log chart_version 2\)"):
        export.build_all(with_tables(ctx, plots=plots), tmp_path, registry=registry)
    assert snapshot(tmp_path) == before


def test_a_logged_change_publishes_v2_and_keeps_v1(ctx, registry, tmp_path):
    export.build_all(ctx, tmp_path, registry=registry)
    v1 = snapshot(tmp_path / DEMO_ID / "v1")
    changed = with_tables(
        ctx,
        plots=ctx.table("plots").assign(plots=[13, 6, 1]),
        corrections=corrections(("2026-03-02", f"chart:{DEMO_ID}", 2)),
    )
    out = tmp_path / "next"
    (entry,) = export.build_all(changed, out, registry=registry, previous=tmp_path)
    assert snapshot(out / DEMO_ID / "v1") == v1  # the old URL still serves the old data
    assert entry["files"] == {kind: f"{DEMO_ID}/v2/{DEMO_ID}{suffix}" for kind, suffix in
                              (("vegalite", ".vl.json"), ("csv", ".csv"), ("xlsx", ".xlsx"), ("schema", ".schema.json"))}
    assert [(version["version"], version["date"]) for version in entry["versions"]] == [(1, "2026-01-05"), (2, "2026-03-02")]
    spec = json.loads((out / DEMO_ID / "v2" / f"{DEMO_ID}.vl.json").read_text(encoding="utf-8"))
    assert (spec["usermeta"]["version"], spec["usermeta"]["date"]) == (2, "2026-03-02")
    assert spec["usermeta"]["url"] == f"charts/{DEMO_ID}/v2/{DEMO_ID}.vl.json"  # relative to the site's address
    assert pd.read_csv(out / DEMO_ID / "v2" / f"{DEMO_ID}.csv")["plots"].tolist() == [13, 6, 1]


@pytest.mark.parametrize(
    "row, message",
    [
        (("2026-03-02", f"chart:{DEMO_ID}", 3), r"row 3, column chart_version: .* must be chart_version 2 \(found 3\)"),
        (("2026-03-02", f"chart:{DEMO_ID}", None), r"row 3, column chart_version: .*found nothing"),
        (("2026-03-02", "chart:overview-unknown", 2), r"row 3, column scope: no chart .*overview-unknown"),
    ],
)
def test_bad_version_rows_are_named(ctx, registry, tmp_path, row, message):
    with pytest.raises(ChartBuildError, match=rf"data/source/corrections\.csv {message}"):
        export.build_all(with_tables(ctx, corrections=corrections(row)), tmp_path, registry=registry)


def test_worker_processes_render_what_this_process_renders(published, tmp_path):
    """Renders in worker processes and in the building process itself give the same files."""
    spec = json.loads((published / DEMO_ID / "v1" / f"{DEMO_ID}.vl.json").read_text(encoding="utf-8"))
    specs = {DEMO_ID: spec, "overview-demo-copy": {**spec, "title": "Another"}}
    here = export.export_site_assets(specs, tmp_path / "here", cache_dir=tmp_path / "cache-here", max_workers=0)
    processes = export.export_site_assets(specs, tmp_path / "processes", cache_dir=tmp_path / "cache-processes", max_workers=2)
    assert processes == here
    assert snapshot(tmp_path / "processes") == snapshot(tmp_path / "here")
    assert not list((tmp_path / "cache-processes" / ".jobs").iterdir())  # job files are consumed


def test_a_failing_worker_process_names_the_chart(published, tmp_path):
    spec = json.loads((published / DEMO_ID / "v1" / f"{DEMO_ID}.vl.json").read_text(encoding="utf-8"))
    broken = {**spec, "mark": {"type": "no-such-mark"}}
    with pytest.raises(BuildError, match="'overview-broken' could not be rendered"):
        export.export_site_assets({DEMO_ID: spec, "overview-broken": broken}, tmp_path / "out",
                                  cache_dir=tmp_path / "cache", max_workers=2)


def test_waiting_for_one_chart_returns_when_it_is_drawn_and_names_a_failed_one(published, tmp_path):
    """Pages wait on one chart at a time while the rest draw; a broken chart fails the wait, not hangs it."""
    spec = json.loads((published / DEMO_ID / "v1" / f"{DEMO_ID}.vl.json").read_text(encoding="utf-8"))
    good = export.plan_render(DEMO_ID, spec)
    broken = export.plan_render("overview-broken", {**spec, "mark": {"type": "no-such-mark"}})
    with static.RenderPool(tmp_path / "cache", max_workers=2) as pool:
        pool.submit(good)
        pool.wait_for(good)
        meta = export.site_meta(spec, good, tmp_path / "cache")
        assert (meta["width"], meta["narrow_width"]) == (static.STATIC_WIDTH, static.NARROW_WIDTH)
        pool.submit(broken)
        with pytest.raises(BuildError, match="'overview-broken' could not be rendered"):
            pool.wait_for(broken)


# ---------------------------------------------------------------------------
# What marks the published charts stale (charts/.inputs.json)


def test_the_spec_key_changes_with_what_the_specs_are_made_from_only(project):
    import shutil
    import sys

    from scripts.charts.build import spec_inputs_key
    from scripts.paths import ROOT

    shutil.copytree(ROOT / "scripts", project.root / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    default_registry.discover()
    chart_module = Path(sys.modules[default_registry.charts()[0].build_function.__module__].__file__)
    chart_module = project.root / chart_module.relative_to(ROOT)
    key = spec_inputs_key(project)

    def key_after(edits: dict[Path, Callable[[str], str]]) -> str:
        originals = {path: path.read_text(encoding="utf-8") for path in edits}
        try:
            for path, edit in edits.items():
                path.write_text(edit(originals[path]), encoding="utf-8")
            return spec_inputs_key(project)
        finally:
            for path, text in originals.items():
                path.write_text(text, encoding="utf-8")

    site_files = [path for path in sorted((project.root / "scripts" / "site").rglob("*")) if path.is_file()]
    assert any(path.suffix == ".py" for path in site_files) and any(path.suffix != ".py" for path in site_files)
    unchanged = {
        "a comment in a chart module": {chart_module: lambda text: "# A note.\n" + text.replace("\n\n", "\n\n# Why.\n", 1)},
        "a chart module's docstring": {chart_module: lambda text: text.replace('"""', '"""Other words. ', 1)},
        "every file under scripts/site": {path: lambda text: text + "\nEDITED = 1\n" for path in site_files},
    }
    for what, edits in unchanged.items():
        assert key_after(edits) == key, what
    changed = {
        "an expression in a chart module": {chart_module: lambda text: text.replace("title=", "title='Edited ' + ", 1)},
        "a source table": {next((project.data / "source").rglob("*.csv")): lambda text: text + "\n"},
        "the pinned libraries": {project.root / "requirements.lock": lambda text: text + "\n"},
    }
    for what, edits in changed.items():
        assert "title=" in chart_module.read_text(encoding="utf-8")
        assert key_after(edits) != key, what
    assert spec_inputs_key(project) == key

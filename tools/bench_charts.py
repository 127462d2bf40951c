"""Time the chart exporters, cold (empty render cache) and warm.

    python -m tools.bench_charts [--workers N]             # the site's real charts
    python -m tools.bench_charts --synthetic 20 [--workers N]

By default builds the registered site charts from the validated tables and a freshly
computed ledger. ``--synthetic N`` uses N synthetic charts of common kinds (bars, stacked
bars, lines, layered bar + labels, heat map, facets) in an isolated registry instead.
Writes only to a temporary directory: the repository's charts/ and .cache/ are untouched
(the map shapes are read from, or written once to, the usual geo cache).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from scripts.charts import theme
from scripts.charts.context import LEDGER_COLUMNS, ChartContext
from scripts.charts.describe import from_ledger
from scripts.charts.export import build_all, export_site_assets
from scripts.charts.registry import Registry
from scripts.paths import DEFAULT
from scripts.project import SECTION_IDS as SECTIONS


def synthetic_context(seed: int = 2018) -> ChartContext:
    rng = np.random.default_rng(seed)
    municipalities = [f"Municipality {i:02d}" for i in range(24)]
    plots = pd.DataFrame(
        {
            "year": rng.integers(2012, 2018, 120),
            "link_type": rng.choice(["linked", "inspired"], 120, p=[0.6, 0.4]),
            "municipality": rng.choice(municipalities, 120),
            "weapon": rng.choice(["firearm", "explosives", "knife", "vehicle", "other"], 120),
            "people": rng.integers(1, 9, 120),
        }
    )
    ledger = pd.DataFrame(
        [
            {"value": len(plots), "unit": "plots", "status": "verified"},
            {"value": (plots.link_type == "linked").mean(), "unit": "share", "status": "verified"},
        ],
        index=pd.Index(["bench-plots", "bench-linked-share"], name="id"),
        columns=list(LEDGER_COLUMNS),
    )
    return ChartContext(tables={"plots": plots}, ledger=ledger)


def _bar(ctx: ChartContext) -> tuple[alt.Chart, pd.DataFrame]:
    frame = ctx.table("plots").groupby("municipality", as_index=False)["people"].sum()
    chart = alt.Chart(frame).mark_bar().encode(x="people:Q", y=alt.Y("municipality:N", sort="-x"))
    return chart.properties(width="container"), frame


def _stacked(ctx: ChartContext) -> tuple[alt.Chart, pd.DataFrame]:
    frame = ctx.table("plots").groupby(["year", "link_type"], as_index=False).size()
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(x="year:O", y="size:Q", color=alt.Color("link_type:N", scale=theme.link_type_scale()))
    )
    return chart.properties(width="container"), frame


def _line(ctx: ChartContext) -> tuple[alt.Chart, pd.DataFrame]:
    frame = ctx.table("plots").groupby(["year", "weapon"], as_index=False).size()
    chart = alt.Chart(frame).mark_line(point=True).encode(x="year:O", y="size:Q", color="weapon:N")
    return chart.properties(width="container"), frame


def _labelled(ctx: ChartContext) -> tuple[alt.LayerChart, pd.DataFrame]:
    frame = ctx.table("plots").groupby("weapon", as_index=False).size()
    base = alt.Chart(frame).encode(y=alt.Y("weapon:N", sort="-x"), x="size:Q")
    chart = base.mark_bar() + base.mark_text(align="left", dx=4).encode(text="size:Q")
    return chart.properties(width="container"), frame


def _heatmap(ctx: ChartContext) -> tuple[alt.Chart, pd.DataFrame]:
    frame = ctx.table("plots").groupby(["year", "weapon"], as_index=False)["people"].sum()
    chart = alt.Chart(frame).mark_rect().encode(x="year:O", y="weapon:N", color="people:Q")
    return chart.properties(width="container"), frame


def _facet(ctx: ChartContext) -> tuple[alt.FacetChart, pd.DataFrame]:
    frame = ctx.table("plots").groupby(["link_type", "weapon"], as_index=False).size()
    chart = alt.Chart(frame).mark_bar().encode(x="size:Q", y="weapon:N").properties(width=260)
    chart = chart.facet(column="link_type:N")
    return chart, frame


KINDS: tuple[Callable[[ChartContext], tuple], ...] = (_bar, _stacked, _line, _labelled, _heatmap, _facet)


def synthetic_registry(count: int) -> Registry:
    registry = Registry()
    for number in range(count):
        section = SECTIONS[number % len(SECTIONS)]
        registry.chart(
            id=f"{section.replace('_', '-')}-bench-{number:02d}",
            section=section,
            title=f"Benchmark chart {number}",
            source="Synthetic data",
            description=from_ledger("{bench-linked-share} of {bench-plots} plots were linked."),
            columns={name: (f"Synthetic {name}.", "synthetic") for name in ("year", "link_type", "municipality",
                                                                            "weapon", "people", "plots", "share")},
        )(KINDS[number % len(KINDS)])
    return registry


def _timed(label: str, action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    elapsed = time.perf_counter() - start
    print(f"  {label:<34} {elapsed:6.2f} s")
    return elapsed


def site_charts() -> tuple[ChartContext, Registry]:
    """The real charts: validated tables, the computed ledger, every registered chart."""
    from scripts import ledger
    from scripts.charts.registry import default_registry
    from scripts.validate import validate

    tables = validate(DEFAULT.data)
    default_registry.discover()
    return ChartContext(tables=tables, ledger=ledger.compute(tables), cache=DEFAULT.cache), default_registry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--synthetic", type=int, default=None, metavar="N", help="time N synthetic charts instead of the site's"
    )
    parser.add_argument("--workers", type=int, default=None, help="render threads (default: CPU count)")
    args = parser.parse_args()

    if args.synthetic is None:
        started = time.perf_counter()
        ctx, registry = site_charts()
        kind = f"site charts (tables + ledger loaded in {time.perf_counter() - started:.2f} s)"
    else:
        ctx, registry = synthetic_context(), synthetic_registry(args.synthetic)
        kind = "synthetic charts"
    print(f"{len(registry)} {kind}, {os.cpu_count()} CPUs, render workers: {args.workers or 'auto'}")
    with tempfile.TemporaryDirectory(prefix="bench-charts-") as tmp:
        root = Path(tmp)
        charts, site, cache = root / "charts", root / "site", root / "cache"

        def export() -> None:
            export_site_assets(charts, site, cache_dir=cache, max_workers=args.workers)

        print("cold (empty cache):")
        cold = _timed("build_all", lambda: build_all(ctx, charts, registry=registry))
        cold += _timed("export_site_assets", export)
        print("warm (cache filled, outputs present):")
        warm = _timed("build_all", lambda: build_all(ctx, charts, registry=registry))
        warm += _timed("export_site_assets", export)
        print(f"total: cold {cold:.2f} s, warm {warm:.2f} s")


if __name__ == "__main__":
    main()

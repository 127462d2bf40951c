"""The chart step of the build: publishable files into charts/, render assets for the site."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import pandas as pd

from scripts.charts.context import ChartContext
from scripts.charts.export import build_all, export_site_assets, plan_render
from scripts.charts.static import RenderPool
from scripts.paths import Layout, site_url

ASSETS_DIR = "chart-assets"  # beside the staged charts/, picked up by the site step


def build_charts(tables: dict[str, pd.DataFrame], ledger: pd.DataFrame, out_dir: Path, layout: Layout,
                 timings=None) -> int:
    """Publish into out_dir (a staging dir) against what layout.charts already holds."""
    step = timings.step if timings is not None else (lambda name: nullcontext())
    ctx = ChartContext(tables=tables, ledger=ledger)
    cache_dir = layout.cache / "charts"
    # Each chart is handed to the render workers as soon as its spec exists, so drawing overlaps
    # with building the remaining specs.
    with RenderPool(cache_dir) as pool:
        with step("charts: specs"):
            catalogue = build_all(ctx, out_dir, previous=layout.charts, site_url=site_url(layout.root),
                                  on_built=lambda chart: pool.submit(plan_render(chart.id, chart.spec)))
        with step("charts: static renders"):
            export_site_assets(out_dir, out_dir.parent / ASSETS_DIR, cache_dir=cache_dir, pool=pool)
    return len(catalogue)

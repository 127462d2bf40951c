"""The site step of the build: MkDocs renders the pages, then we add what MkDocs does not know.

The glue is kept thin on purpose: MkDocs (or Zensical, which reads the same mkdocs.yml) turns
docs/ into HTML with the macros in scripts.site.macros; everything else — chart assets, the
published data package, the Vega runtime bundle, embed pages, the Content-Security-Policy — is
plain files written by scripts.site.publish after the generator has run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime, timezone
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from scripts.paths import Layout

if TYPE_CHECKING:
    from scripts.charts.build import ChartStep
    from scripts.site.notebook import BackgroundRun

# Every page of the site as a path under the site root, in navigation order.
PAGES = (
    "", "geography/", "networks/", "nationalities/", "weapons-targets/", "threat-levels/",
    "methods/", "ledger/", "data-dictionary/", "reproduce/", "reuse/", "about/",
    "contributing/editorial/",
)


@contextmanager
def _environment(values: dict[str, str]):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def source_date_epoch(layout: Layout) -> str:
    """The date the site prints (sitemap, archives): the last commit's, so rebuilds are identical."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=layout.root, capture_output=True, text=True, check=True
        ).stdout.strip()
        if out:
            return out
    except (OSError, subprocess.CalledProcessError):
        pass
    # Outside a git checkout (e.g. an unpacked archive): the release date in CITATION.cff.
    released = yaml.safe_load((layout.root / "CITATION.cff").read_text(encoding="utf-8"))["date-released"]
    return str(int(datetime.combine(released, datetime.min.time(), tzinfo=timezone.utc).timestamp()))


def build_site(layout: Layout, stage: Path, notebook_run: BackgroundRun, charts: ChartStep, timings=None) -> Path:
    """Render the site into stage/site from the staged ledger, charts and executed notebook.

    The pages are written while the charts are still being drawn: a chart's figure waits for
    that chart's sizes only. The chart files are published once every drawing is done.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from scripts.charts.build import ASSETS_DIR
    from scripts.site import publish, render
    from scripts.site.notebook import NOTEBOOK

    site_dir = stage / "site"
    # MkDocs reads a staged copy of docs/ holding the executed notebook: docs/ is never written.
    docs_dir = stage / "docs"
    shutil.copytree(layout.root / "docs", docs_dir)
    step = timings.step if timings is not None else (lambda name: nullcontext())
    with step("site: wait for notebook"):
        shutil.copyfile(notebook_run.result(), docs_dir / NOTEBOOK)
    staged = {
        "BTC_ROOT": str(layout.root),
        "BTC_LEDGER": str(stage / "derived" / "findings.csv"),
        "BTC_CHARTS": str(stage / "charts"),
        "BTC_CHART_ASSETS": str(stage / ASSETS_DIR),
        "BTC_SITE_URL": layout.site_url,
        "SOURCE_DATE_EPOCH": source_date_epoch(layout),
        # nbconvert otherwise imports every installed exporter (PDF, WebPDF...) to list them, on
        # each build; mkdocs-jupyter only ever uses its HTML exporter.
        "NBCONVERT_DISABLE_CONFIG_EXPORTERS": "1",
    }
    with _environment(staged):
        config = load_config(str(layout.root / "mkdocs.yml"), site_dir=str(site_dir), docs_dir=str(docs_dir),
                             site_url=layout.site_url)
        # Its HTML conversion cache belongs with the build's other caches, not wherever we run.
        config.plugins["mkdocs-jupyter"].config["cache_dir"] = str(layout.cache / "mkdocs-jupyter")
        with step("site: mkdocs"), render.chart_sizes_from(charts.meta):
            build(config)
        charts.finish()
        with step("site: assets, embeds, CSP"):
            publish.finish(layout, stage, site_dir)
    return site_dir

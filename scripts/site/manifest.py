"""What the site step renders from, written in one file before the generator runs.

MkDocs (or Zensical, which reads the same mkdocs.yml) runs the page macros in its own way, so
nothing reaches them through the process: the build writes ``site-state.json`` into its staging
directory, beside the staged docs/ the generator is given, naming the staged ledger, charts,
chart assets and the site's address. The macros find it from the generator's ``docs_dir``.
Without one (a generator run on a checkout) they read the published outputs instead.

While the build runs, the charts are still being drawn: each chart's ``meta.json`` appears in the
chart-asset folder (written atomically) as its drawing finishes, so a page waits for one chart
only, and a marker file says why if the drawing stopped short.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from scripts.errors import BuildError
from scripts.paths import Layout, site_url

MANIFEST = "site-state.json"
POLL_SECONDS = 0.02  # how often a page waiting for a chart looks for its meta.json
# Where a generator run on a checkout finds the chart assets of the last build (kept by the build).
LAST_CHART_ASSETS = ".cache/chart-assets"


class ChartNotDrawn(BuildError):
    """A page needs a chart whose drawing failed or was stopped."""


@dataclass(frozen=True)
class SiteFiles:
    """Where the pages' ledger, charts and chart assets are, and the site's address."""

    root: Path
    ledger: Path
    charts: Path
    chart_assets: Path
    site_url: str
    # Set while a build draws the charts: the file that says why the drawing stopped short.
    drawing_stopped: Path | None = None



def wait_for_file(path: Path, stopped: Path, chart_id: str) -> None:
    """Wait until a drawing writes ``path``; stop with its reason if ``stopped`` appears first."""
    while not path.is_file():
        if stopped.is_file():
            if path.is_file():  # written just before the drawing stopped
                return
            reason = stopped.read_text(encoding="utf-8").strip()
            raise ChartNotDrawn(f"chart {chart_id!r} was not drawn: {reason}")
        time.sleep(POLL_SECONDS)


def write(layout: Layout, stage: Path) -> Path:
    """The manifest of a build staged in ``stage``; paths in it are relative to ``stage``."""
    from scripts.charts.build import ASSETS_DIR, DRAWING_STOPPED

    record = {
        "root": os.path.relpath(layout.root, stage),
        "ledger": "derived/findings.csv",
        "charts": "charts",
        "chart_assets": ASSETS_DIR,
        "drawing_stopped": f"{ASSETS_DIR}/{DRAWING_STOPPED}",
        "site_url": layout.site_url,
    }
    path = stage / MANIFEST
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def read(folder: Path) -> SiteFiles:
    """The state in ``folder``'s manifest; without one, the published outputs of the checkout
    ``folder`` is the root of (for a generator run outside the build)."""
    folder = Path(folder).resolve()
    path = folder / MANIFEST
    if not path.is_file():
        return SiteFiles(root=folder, ledger=folder / "data/derived/findings.csv", charts=folder / "charts",
                         chart_assets=folder / LAST_CHART_ASSETS, site_url=site_url(folder))
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return SiteFiles(
            root=(folder / record["root"]).resolve(),
            ledger=folder / record["ledger"],
            charts=folder / record["charts"],
            chart_assets=folder / record["chart_assets"],
            site_url=record["site_url"],
            drawing_stopped=folder / record["drawing_stopped"],
        )
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise BuildError(f"{path}: not a site manifest ({type(err).__name__}: {err})") from None


def for_docs(docs_dir: str | Path) -> SiteFiles:
    """The state for a generator given ``docs_dir``: the manifest beside it, if there is one."""
    return read(Path(docs_dir).resolve().parent)

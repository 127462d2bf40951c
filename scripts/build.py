"""The whole build: validate → ledger → map shapes → charts → site, published atomically.

Every output is first written into a staging directory; only when every step has succeeded
are the staged directories swapped into place. A failure (or a kill) part-way leaves the
previous data/derived, charts/ and site/ exactly as they were.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scripts import ledger as ledger_module
from scripts.paths import DEFAULT, Layout
from scripts.validate import validate

STAGING_PREFIX = ".build-staging-"
ASIDE_SUFFIX = ".previous"


def recover(layout: Layout) -> None:
    """Undo a swap that was interrupted between its two renames."""
    for target in (layout.derived, layout.charts, layout.site):
        aside = target.with_name(target.name + ASIDE_SUFFIX)
        if aside.exists():
            if target.exists():
                shutil.rmtree(aside)
            else:
                aside.rename(target)
    for stale in layout.root.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(stale, ignore_errors=True)


@contextmanager
def staging(layout: Layout) -> Iterator[Path]:
    stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=layout.root))
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def publish(staged: Path, target: Path) -> None:
    """Replace target by staged with two renames on one filesystem."""
    aside = target.with_name(target.name + ASIDE_SUFFIX)
    if target.exists():
        os.replace(target, aside)
    os.replace(staged, target)
    shutil.rmtree(aside, ignore_errors=True)


def _write_geo(layout: Layout, out_dir: Path) -> None:
    """Map shapes take seconds to dissolve; reuse them while their inputs are unchanged."""
    from scripts import geo

    shutil.copytree(geo.cached_dir(layout.cache), out_dir)


def build(layout: Layout = DEFAULT, *, charts: bool = True, site: bool = True) -> dict:
    """Run the build; return a summary of what was produced."""
    recover(layout)
    tables = validate(layout.data)
    ledger = ledger_module.compute(tables)
    summary = {"findings": len(ledger), "statuses": ledger["status"].value_counts().to_dict()}
    with staging(layout) as stage:
        derived = stage / "derived"
        ledger_module.write(ledger, derived)
        _write_geo(layout, derived / "geo")
        steps = [(derived, layout.derived)]
        if charts:
            from scripts.charts.build import build_charts

            summary["charts"] = build_charts(tables, ledger, stage / "charts", layout)
            steps.append((stage / "charts", layout.charts))
        if site:
            from scripts.site import build_site

            build_site(layout, stage)
            steps.append((stage / "site", layout.site))
        for staged, target in steps:
            publish(staged, target)
    return summary

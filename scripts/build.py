"""The whole build: validate → ledger → map shapes → charts → site, published atomically.

Every output is first written into a staging directory; only when every step has succeeded
are the staged directories swapped into place. A failure (or a kill) part-way leaves the
previous data/derived, charts/ and site/ exactly as they were.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from scripts.paths import DEFAULT, Layout, content_digest

STAGING_PREFIX = ".build-staging-"
ASIDE_SUFFIX = ".previous"
# Everything the outputs are made from, relative to the project root.
INPUTS = ("data/datapackage.json", "data/source", "data/schemas", "docs", "scripts", "mkdocs.yml",
          "CITATION.cff", "package-lock.json", "requirements.lock")
NOT_INPUTS = {"__pycache__", "node_modules", "bench-tools"}


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

    shutil.copytree(geo.cached_dir(layout.cache, published=layout.derived / "geo"), out_dir)


def _inputs_digest(layout: Layout, charts: bool, site: bool) -> str:
    """A content hash of every input and option of the build."""
    from scripts.site import source_date_epoch

    printed_date = source_date_epoch(layout) if site else ""  # only pages print a date
    address = layout.site_url if site else ""  # only site/ carries the address
    return content_digest(layout.root, INPUTS, salt=f"{charts} {site} {printed_date} {address} {sys.version}",
                          skip=NOT_INPUTS)


def _outputs_state(layout: Layout) -> str:
    """Cheap fingerprint of the published outputs (names, sizes, mtimes): were they touched?"""
    digest = hashlib.sha256()
    for root in (layout.derived, layout.charts, layout.site):
        for path in sorted(root.rglob("*")) if root.exists() else ():
            stat = path.stat()
            digest.update(f"{path.relative_to(layout.root)} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _stamp_path(layout: Layout) -> Path:
    # Per tree: test copies share the render cache with the project through a link.
    return layout.cache / "build-stamps" / hashlib.sha256(str(layout.root.resolve()).encode()).hexdigest()[:16]


def _up_to_date(layout: Layout, inputs: str) -> dict | None:
    """The last summary if nothing changed since the last successful build, else None."""
    try:
        stamp = json.loads(_stamp_path(layout).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if stamp.get("inputs") == inputs and stamp.get("outputs") == _outputs_state(layout):
        return stamp["summary"]
    return None


def _write_stamp(layout: Layout, inputs: str, summary: dict) -> None:
    path = _stamp_path(layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = {"inputs": inputs, "outputs": _outputs_state(layout), "summary": summary}
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(stamp), encoding="utf-8")
    os.replace(tmp, path)


class Timings(dict):
    """Seconds per build step, for `python -m scripts build --timings` and the benchmark."""

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self[name] = round(time.perf_counter() - start, 2)


def build(layout: Layout = DEFAULT, *, charts: bool = True, site: bool = True, force: bool = False,
          timings: Timings | None = None) -> dict:
    """Run the build; return a summary of what was produced.

    When no input has changed since the last successful build and its outputs are untouched,
    nothing is rebuilt (``force`` rebuilds anyway).
    """
    if site and not charts:
        raise ValueError("the site is built from the charts: build them too")
    timings = Timings() if timings is None else timings
    recover(layout)
    with timings.step("check inputs"):
        inputs = _inputs_digest(layout, charts, site)
        previous = None if force else _up_to_date(layout, inputs)
    if previous is not None:
        return {**previous, "up_to_date": True}

    with staging(layout) as stage, ExitStack() as running:
        if charts:  # first: it may start drawing the published charts while the data is checked
            from scripts.charts.build import ChartStep

            chart_step = running.enter_context(ChartStep(layout, stage / "charts", timings, draw=site))
        from scripts import ledger as ledger_module  # heavy (pandas, frictionless): only when building
        from scripts.validate import validate
        with timings.step("validate"):
            tables = validate(layout.data)
        with timings.step("ledger"):
            ledger = ledger_module.compute(tables)
        summary = {"findings": len(ledger), "statuses": ledger["status"].value_counts().to_dict()}
        derived = stage / "derived"
        ledger_module.write(ledger, derived)
        if site:  # the notebook runs on the second core while the charts are drawn
            from scripts.site import notebook

            executed = running.enter_context(
                notebook.BackgroundRun(layout, derived / "findings.csv", stage / "notebook" / notebook.NOTEBOOK))
        with timings.step("map shapes"):
            _write_geo(layout, derived / "geo")
        steps = [(derived, layout.derived)]
        if charts:
            with timings.step("charts"):
                summary["charts"] = chart_step.write_specs(tables, ledger)
            steps.append((stage / "charts", layout.charts))
        if site:
            from scripts.site import build_site

            with timings.step("site"):
                build_site(layout, stage, executed, chart_step, timings)
            steps.append((stage / "site", layout.site))
        with timings.step("publish"):
            for staged, target in steps:
                publish(staged, target)
    _write_stamp(layout, inputs, summary)
    return summary

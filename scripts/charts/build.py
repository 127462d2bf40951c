"""The chart step of the build: publishable files into charts/, render assets for the site."""

from __future__ import annotations

import hashlib
import json
import threading
from contextlib import nullcontext
from pathlib import Path

import pandas as pd

from scripts.charts.context import ChartContext
from scripts import cache, steps
from scripts.charts.export import (build_all, dumps_json, load_specs, plan_render, site_meta, write_chart_assets,
                                   write_if_changed, write_site_assets)
from scripts.charts.static import POLL_SECONDS, RenderJob, RenderPool
from scripts.charts.versions import SITE_STEP_FILES, carry_site_record
from scripts.paths import Layout, content_digest

ASSETS_DIR = "chart-assets"  # beside the staged charts/, picked up by the site step
# In ASSETS_DIR when the drawing ended before every chart was written: why (a waiting page stops).
DRAWING_STOPPED = ".drawing-stopped"
# Beside the published files: the inputs they were made from and each file's hash. A build whose
# inputs match reuses them instead of running every chart function again through Altair.
INPUTS_FILE = ".inputs.json"


class ChartStep:
    """The chart step, publishing into out_dir (a staging dir) against what layout.charts holds.

    Entered before the data is validated: when the published charts were made from the current
    inputs they are reused, and their drawing starts at once, alongside validation and the ledger.
    Otherwise ``write_specs`` builds every spec, handing each to the render workers as soon as it
    exists. While they draw, the pages can be written: ``write_assets_as_drawn`` writes each chart's
    site assets as soon as it is drawn, so a page waits for one chart only.
    """

    def __init__(self, layout: Layout, out_dir: Path, timings=None, *, draw: bool = True) -> None:
        self.layout = layout
        self.draw = draw  # False: charts/ only (no site, so nothing to draw for)
        self.out_dir = out_dir
        self.step = timings.step if timings is not None else (lambda name: nullcontext())
        self.cache_dir = layout.cache / "charts"
        self.pool = RenderPool(self.cache_dir)
        self.key = ""
        self.reused = False
        self.specs: dict[str, dict] = {}
        self.jobs: dict[str, RenderJob] = {}
        self.assets_dir = out_dir.parent / ASSETS_DIR
        self._writer: threading.Thread | None = None
        self._writer_error: BaseException | None = None
        self._stop = threading.Event()

    def __enter__(self) -> ChartStep:
        self.key = spec_inputs_key(self.layout)
        self.reused = reuse_published(self.layout.charts, self.key, self.out_dir)
        if self.reused:
            self._draw(load_specs(self.out_dir))
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self._writer is not None:
            self._writer.join()
        self.pool.__exit__(*exc_info)  # a failure elsewhere stops the drawing

    def _draw(self, specs: dict[str, dict]) -> None:
        for chart_id, spec in specs.items():
            self.specs[chart_id] = spec
            if self.draw:
                self.jobs[chart_id] = plan_render(chart_id, spec)
                self.pool.submit(self.jobs[chart_id])

    def write_specs(self, tables: dict[str, pd.DataFrame], ledger: pd.DataFrame) -> int:
        """Write charts/ (unless reused); return the chart count."""
        with self.step("charts: specs"):
            if not self.reused:
                build_all(ChartContext(tables=tables, ledger=ledger, cache=self.layout.cache), self.out_dir, previous=self.layout.charts,
                          on_built=lambda chart: self._draw({chart.id: chart.spec}))
            carry_site_record(self.layout.charts, self.out_dir)
            write_inputs_file(self.out_dir, self.key)
        return len(self.specs)

    def meta(self, chart_id: str) -> dict:
        """A chart's site metadata, once it is drawn (the pages need its sizes)."""
        if chart_id not in self.jobs:
            raise KeyError(f"chart {chart_id!r} has no rendered assets (charts: {', '.join(self.jobs) or 'none'})")
        self.pool.wait_for(self.jobs[chart_id])
        return site_meta(self.specs[chart_id], self.jobs[chart_id], self.cache_dir)

    def write_assets_as_drawn(self) -> None:
        """Write each chart's site assets into ASSETS_DIR as soon as it is drawn, in a thread.

        Its meta.json comes last, so a page can wait for that file; if the drawing stops before
        every chart is written, DRAWING_STOPPED says why, so that no page waits forever.
        """
        self._writer = threading.Thread(target=self._write_as_drawn, name="chart-assets", daemon=True)
        self._writer.start()

    def _write_as_drawn(self) -> None:
        pending = dict(self.jobs)
        try:
            while pending and not self._stop.is_set():
                for chart_id, job in list(pending.items()):
                    if self.pool.done(job):
                        write_chart_assets(self.specs[chart_id], job, self.assets_dir, self.cache_dir)
                        del pending[chart_id]
                if pending:
                    self._stop.wait(POLL_SECONDS)
        except BaseException as err:  # re-raised by finish()
            self._writer_error = err
        finally:
            if pending:
                reason = str(self._writer_error) if self._writer_error is not None else "the build stopped"
                self.assets_dir.mkdir(parents=True, exist_ok=True)
                write_if_changed(self.assets_dir / DRAWING_STOPPED, reason.encode("utf-8"))

    def finish(self) -> int:
        """Wait for every drawing and write the site's render assets; return the chart count."""
        with self.step("charts: static renders"):
            if self._writer is not None:
                self._writer.join()
                if self._writer_error is not None:
                    raise self._writer_error
            self.pool.wait()
            metas = write_site_assets(self.specs, self.jobs, self.assets_dir, self.cache_dir)
        return len(metas)


def spec_inputs_key(layout: Layout) -> str:
    """What the specs are made from: the files the chart step and the steps before it read, and
    the code of the modules that run them (an edit to a comment, or to the site's code, is none)."""
    return cache.key(content_digest(layout.root, steps.inputs("charts")), cache.code_digest(layout.root, steps.code("charts")))


def published_files(charts_dir: Path) -> dict[str, str]:
    """SHA-256 of every file the chart step publishes under charts_dir, by relative path (not the
    site step's record of what the site published)."""
    return {
        name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(charts_dir.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
        and (name := path.relative_to(charts_dir).as_posix()).split("/")[0] not in SITE_STEP_FILES
    }


def write_inputs_file(charts_dir: Path, key: str) -> None:
    record = {"inputs": key, "files": published_files(charts_dir)}
    (charts_dir / INPUTS_FILE).write_text(dumps_json(record), encoding="utf-8")


def reuse_published(published: Path, key: str, out_dir: Path) -> bool:
    """Copy published charts into out_dir if they were made from these inputs and are untouched."""
    try:
        record = json.loads((published / INPUTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if record.get("inputs") != key or record.get("files") != published_files(published):
        return False  # other inputs, or a file edited, added or removed since
    for name in record["files"]:
        target = out_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((published / name).read_bytes())
    carry_site_record(published, out_dir)
    return True

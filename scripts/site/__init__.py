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

from scripts.errors import BuildError
from scripts.paths import Layout
from scripts.project import identity

if TYPE_CHECKING:
    from scripts.charts.build import ChartStep
    from scripts.site.notebook import BackgroundRun

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
    released = identity(layout.root).released
    return str(int(datetime.combine(released, datetime.min.time(), tzinfo=timezone.utc).timestamp()))


MACRO_EXIT = 100  # mkdocs-macros' exit status when a page's template fails (on_error_fail)


class PageError(BuildError):
    """A page's macros or template syntax failed."""

    def __init__(self, page: str, detail: str) -> None:
        super().__init__(f"{page}: {detail}")
        self.page, self.detail = page, detail


@contextmanager
def _macro_errors(config):
    """A failed macro stops the build with the page, line and cause, not exit status 100.

    mkdocs-macros logs the error with its traceback, then exits; the log is silenced (the build
    says it once) and the exit becomes a BuildError naming the page and the line.
    """
    import logging

    quiet = logging.getLogger("mkdocs.plugins.mkdocs_macros")
    plugin = config.plugins["macros"]

    def drop_errors(record: logging.LogRecord) -> bool:
        return "[macros] - ERROR" not in record.getMessage()

    quiet.addFilter(drop_errors)
    for handler in logging.getLogger().handlers:
        handler.addFilter(drop_errors)
    try:
        yield
    except SystemExit as stop:
        if stop.code != MACRO_EXIT:
            raise
        page = getattr(plugin, "page", None)
        where = f"docs/{page.file.src_uri}" if page is not None else "docs/"
        raise PageError(f"{where}{_template_line(stop.__context__, page)}", _cause(stop.__context__)) from None
    finally:
        quiet.removeFilter(drop_errors)
        for handler in logging.getLogger().handlers:
            handler.removeFilter(drop_errors)


def _template_line(error, page) -> str:
    """The line in the page's file (the template starts after the page's front matter)."""
    line = getattr(error, "lineno", None)  # a template syntax error knows its line
    traceback = getattr(error, "__traceback__", None)
    while traceback is not None:  # an error raised by a macro: the template's frame has the line
        if traceback.tb_frame.f_code.co_filename == "<template>":
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    if not line:
        return ""
    try:
        source = Path(page.file.abs_src_path).read_text(encoding="utf-8")
        body = page.markdown or ""
        offset = source[: source.index(body)].count("\n") if body and body in source else 0
    except (AttributeError, OSError, TypeError, ValueError):
        offset = 0
    return f", line {line + offset}"


def _cause(error) -> str:
    if error is None:
        return "a macro failed"
    if isinstance(error, PageError):  # it names the page itself; the line is added above
        return error.detail
    if isinstance(error, KeyError) and error.args:
        text = str(error.args[0])
    else:
        text = str(error)
    return f"{text} ({type(error).__name__})" if not isinstance(error, (KeyError, ValueError, BuildError)) else text


def build_site(layout: Layout, stage: Path, notebook_run: BackgroundRun, charts: ChartStep, timings=None) -> Path:
    """Render the site into stage/site from the state named in stage's manifest.

    The pages are written while the charts are still being drawn: a chart's figure waits for
    that chart's meta.json only (scripts.site.manifest). The chart files are published once
    every drawing is done.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from scripts.site import chart_pages, publish
    from scripts.site.notebook import NOTEBOOK

    charts.write_assets_as_drawn()
    site_dir = stage / "site"
    # MkDocs reads a staged copy of docs/ holding the executed notebook: docs/ is never written.
    # Beside it is the manifest, where the macros find the staged ledger and charts.
    docs_dir = stage / "docs"
    shutil.copytree(layout.root / "docs", docs_dir)
    chart_pages.write_sources(docs_dir, stage / "charts")
    step = timings.step if timings is not None else (lambda name: nullcontext())
    with step("site: wait for notebook"):
        shutil.copyfile(notebook_run.result(), docs_dir / NOTEBOOK)
    settings = {
        "SOURCE_DATE_EPOCH": source_date_epoch(layout),  # read by MkDocs itself (sitemap dates)
        # nbconvert otherwise imports every installed exporter (PDF, WebPDF...) to list them, on
        # each build; mkdocs-jupyter only ever uses its HTML exporter.
        "NBCONVERT_DISABLE_CONFIG_EXPORTERS": "1",
    }
    with _environment(settings):
        config = load_config(str(layout.root / "mkdocs.yml"), site_dir=str(site_dir), docs_dir=str(docs_dir),
                             site_url=layout.site_url)
        # Its HTML conversion cache belongs with the build's other caches, not wherever we run.
        config.plugins["mkdocs-jupyter"].config["cache_dir"] = str(layout.cache / "mkdocs-jupyter")
        with step("site: mkdocs"), _macro_errors(config):
            build(config)
        charts.finish()
        with step("site: assets, embeds, CSP"):
            publish.finish(layout, stage, site_dir)
    _keep_chart_assets(layout, stage)
    return site_dir


def _keep_chart_assets(layout: Layout, stage: Path) -> None:
    """Keep the drawn charts for a generator run on the checkout, which has no build's manifest
    (scripts.site.manifest.LAST_CHART_ASSETS). Only a convenience: skipped if anything is in the way."""
    from scripts.charts.build import ASSETS_DIR
    from scripts.site.manifest import LAST_CHART_ASSETS

    kept = layout.root / LAST_CHART_ASSETS
    old = kept.with_name(f".{kept.name}.{os.getpid()}.old")
    try:
        if kept.exists():
            os.rename(kept, old)
        os.rename(stage / ASSETS_DIR, kept)  # never into an existing folder, never across devices
    except OSError:
        pass
    if old.is_symlink():  # a cache folder linked from elsewhere (tests share the project's)
        old.unlink()
    shutil.rmtree(old, ignore_errors=True)

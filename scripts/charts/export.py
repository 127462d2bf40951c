"""Publish registered charts: Vega-Lite specs + CSV for download, and static/precompiled site assets.

``build_all`` writes the open-data side (``charts/<id>.vl.json``, ``charts/<id>.csv``,
``charts/index.json``); ``export_site_assets`` renders what the pages embed
(``<out>/<id>/{light,dark}.{svg,png,vg.json}`` and ``meta.json``).

Both are deterministic: the same registry and data give byte-identical files.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import vl_convert as vlc

from scripts import cache as build_cache
from scripts import workbook
from scripts.charts import columns, theme, versions
from scripts.charts.context import ChartContext
from scripts.charts.registry import (
    ChartBuildError,
    RegisteredChart,
    Registry,
    default_registry,
    is_valid_id,
)
from scripts.charts.static import (  # noqa: F401  (re-exported: the exporter's public helpers)
    NARROW_WIDTH,
    PNG_SCALE,
    STATIC_HEIGHT,
    STATIC_WIDTH,
    WIDE_WIDTH,
    RenderJob,
    RenderPool,
    asset_files,
    dumps_json,
    renderer_code,
    static_spec,
    svg_size,
)
from scripts.charts.versions import ChartVersion, version_history
from scripts import paths
from scripts.project import CHART_IMAGES, CHARTS_FOLDER, Chart, citations, credit_line, identity, parse_chart_file

# What scripts.charts.images makes (by role): the images with credit, the print size, the card.
MADE_IMAGES = {role: name for role, (name, _) in CHART_IMAGES.items() if name not in asset_files(theme.SCHEMES)}
SITE_ASSET_FILES = asset_files(theme.SCHEMES) + tuple(MADE_IMAGES.values())
PALETTE_FILE = "palette.json"
# The site's house style as Vega-Lite configs, light and dark: what a reuser passes as vega-embed's
# `config` to draw a published spec as the site does (the specs carry only their layout).
THEME_FILE = "theme.json"


@dataclass(frozen=True)
class BuiltChart:
    """A chart function's output, ready to publish."""

    entry: RegisteredChart
    spec: dict[str, Any]  # Vega-Lite, light config embedded, data inline, usermeta added
    frame: pd.DataFrame  # exactly the data shown, published as CSV
    description: str
    version: ChartVersion
    history: tuple[ChartVersion, ...] = ()  # every version, oldest first (the last is ``version``)

    @property
    def id(self) -> str:
        return self.entry.id

    def catalogue_entry(self) -> dict[str, Any]:
        """The chart in charts/index.json: its current version, and every version with all its files
        (paths relative to charts/; the chart page relative to the site's root)."""
        about = identity()
        return {
            "id": self.id,
            "title": self.entry.title,
            **({"subtitle": self.entry.subtitle} if self.entry.subtitle else {}),
            "section": self.entry.section,
            "description": self.description,
            "version": self.version.number,
            "date": self.version.date,
            "files": {kind: self.version.file(self.id, kind) for kind in versions.VERSION_KINDS},
            "licence": about.licence,
            "licence_url": about.licence_url,
            "credit": about.credit,
            "versions": [
                {
                    "version": version.number,
                    "date": version.date,
                    "folder": Chart(self.id, self.entry.section, version.number).folder_url("").removeprefix(CHARTS_FOLDER),
                    "files": Chart(self.id, self.entry.section, version.number).files(),
                    "page": self.addresses.page_url(""),
                }
                for version in (self.history or (self.version,))
            ],
        }

    @property
    def addresses(self) -> Chart:
        return Chart(self.id, self.entry.section, self.version.number)

    def workbook(self, csv: bytes, fields: list[dict] | None = None) -> bytes:
        """The chart's data as an Excel workbook, stamped with the version's date."""
        version = f"chart version {self.version.number}" + (f", published {self.version.date}" if self.version.date else "")
        canonical = paths.site_url(paths.ROOT)  # the version's files carry the project's own address
        cites = citations(self.addresses.file_url(canonical, "vegalite"), self.id, self.entry.title,
                          self.version.number, self.version.date)
        about = workbook.about_rows(
            title=self.entry.title, description=self.description, source=self.entry.source, version=version,
            address=self.addresses.file_url(canonical, "xlsx"), data_file=self.addresses.file_url("", "csv"),
            citation=cites["plain"],
        )
        day = dt.date.fromisoformat(self.version.date) if self.version.date else workbook.NO_DATE
        return workbook.table_workbook(csv.decode("utf-8"), about, day, fields)


# ---------------------------------------------------------------------------
# Specs


def build_chart(entry: RegisteredChart, ctx: ChartContext, version: ChartVersion | None = None,
                site_url: str | None = None, history: tuple[ChartVersion, ...] = ()) -> BuiltChart:
    """Run one chart function and turn its output into a self-contained Vega-Lite spec."""
    version = version or ChartVersion(1, "")
    # The addresses are relative to the site's root: charts/ does not depend on where the site is
    # deployed. The published copies under site/ carry absolute ones (scripts.site.publish).
    site_url = "" if site_url is None else site_url
    figure, frame = entry.build(ctx)
    description = entry.description(ctx)
    about, chart = identity(), Chart(entry.id, entry.section, version.number)
    try:
        # Only the layout part of the theme is merged in (chart-level configure_* calls win): the
        # house style is applied when a chart is drawn (restyle), so a reuser's config applies too.
        with (
            alt.theme.enable(theme.LAYOUT_THEME),
            alt.data_transformers.enable("default", max_rows=None),
        ):
            spec = figure.to_dict(validate=True)
        if spec.get("width") == "container" and spec.get("height") != "container" and "autosize" not in spec:
            # What Vega-Lite does for a container width anyway, said outright: otherwise it first
            # picks "fit" and warns that a stepped height drops "fit-y" (the static renders set the same).
            spec["autosize"] = {"type": "fit-x", "contains": "padding"}
        spec.setdefault("description", description)  # becomes the SVG's aria-label
        spec["usermeta"] = {
            **spec.get("usermeta", {}),
            "id": entry.id,
            "section": entry.section,
            "title": entry.title,
            **({"subtitle": entry.subtitle} if entry.subtitle else {}),
            "description": description,
            "source": entry.source,
            "licence": about.licence,
            "licence_url": about.licence_url,
            "citation": about.report.full,
            "credit": about.credit,
            "version": version.number,
            "date": version.date,
            "url": chart.file_url(site_url, "vegalite"),
            "page": chart.page_url(site_url),
        }
        dumps_json(spec)  # fail here, naming the chart, on NaN or unserialisable values
    except Exception as exc:
        raise ChartBuildError(f"chart {entry.id!r} could not be serialised: {exc}") from exc
    return BuiltChart(entry=entry, spec=spec, frame=frame, description=description, version=version,
                      history=history or (version,))


def build_specs(ctx: ChartContext, registry: Registry | None = None, site_url: str | None = None,
                on_built: Callable[[BuiltChart], None] | None = None) -> list[BuiltChart]:
    """Build every registered chart, in catalogue order (section, then id).

    ``on_built`` is called with each chart as soon as it is built (the build starts drawing it).
    """
    registry = default_registry if registry is None else registry
    registry.discover()
    entries = registry.charts()
    histories = version_history(ctx.tables.get("corrections"), [entry.id for entry in entries])
    built = []
    for entry in entries:
        history = tuple(histories[entry.id])
        built.append(build_chart(entry, ctx, history[-1], site_url, history))
        if on_built is not None:
            on_built(built[-1])
    return built


def build_all(ctx: ChartContext, out_dir: Path, *, registry: Registry | None = None,
              previous: Path | None = None, site_url: str | None = None,
              on_built: Callable[[BuiltChart], None] | None = None) -> list[dict]:
    """Write ``<id>/v<N>/<id>.vl.json``, ``.csv``, ``.xlsx`` and ``index.json``; return the catalogue.

    ``previous`` is the charts/ directory already published (default: ``out_dir`` itself):
    earlier versions are carried over from it unchanged, and the current version's data
    must match what it holds (see scripts.charts.versions).

    Everything is rendered before anything in ``out_dir`` is touched, so a failing chart
    leaves the previous outputs as they were. Files of charts that are no longer
    registered are removed; other files in ``out_dir`` are left alone.
    """
    out_dir = Path(out_dir)
    previous = out_dir if previous is None else Path(previous)
    built = build_specs(ctx, registry, site_url, on_built)
    catalogue = [chart.catalogue_entry() for chart in built]

    files = versions.archived_files(previous, {chart.id: chart.version for chart in built})
    files["index.json"] = dumps_json(catalogue).encode("utf-8")
    # The semantic palette as data (role, light and dark colour, meaning, legend label).
    files[PALETTE_FILE] = dumps_json(theme.palette_table()).encode("utf-8")
    files[THEME_FILE] = dumps_json({scheme: theme.config(scheme) for scheme in theme.SCHEMES}).encode("utf-8")
    csvs = {chart.id: frame_to_csv(chart.frame) for chart in built}
    versions.check_data_unchanged(previous, {chart.id: (chart.version, csvs[chart.id]) for chart in built})
    for chart in built:
        files[chart.version.file(chart.id, "vegalite")] = dumps_json(chart.spec).encode("utf-8")
        files[chart.version.file(chart.id, "csv")] = csvs[chart.id]
        try:
            schema = columns.table_schema(chart.id, chart.frame, chart.entry.columns)
        except columns.UndescribedColumnError as exc:
            raise ChartBuildError(str(exc.args[0])) from None
        files[chart.version.file(chart.id, "schema")] = dumps_json(schema).encode("utf-8")
        # Typed by the schema, so the workbook and the schema never disagree on a column.
        files[chart.version.file(chart.id, "xlsx")] = chart.workbook(csvs[chart.id], schema["fields"])

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir.parent, prefix=f".{out_dir.name}.tmp-") as tmp:
        staging = Path(tmp)
        for name, data in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_bytes(data)
        out_dir.mkdir(exist_ok=True)
        for name, data in sorted(files.items()):
            target = out_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            # Unchanged files keep their mtime, which keeps `mkdocs serve` quiet.
            if not (target.is_file() and target.read_bytes() == data):
                os.replace(staging / name, target)
    for path in sorted(out_dir.rglob("*")):
        name = path.relative_to(out_dir).as_posix()
        if path.is_file() and name not in files and _chart_file_id(name) is not None:
            path.unlink()
    for folder in sorted(out_dir.glob("*/v*"), reverse=True) + sorted(out_dir.glob("*/")):
        if folder.is_dir() and folder.name not in versions.SITE_STEP_FILES and not any(folder.iterdir()):
            folder.rmdir()  # a removed chart's (or version's) empty folders
    return catalogue


def _chart_file_id(name: str) -> str | None:
    """The chart id of a file written by build_all (a spec or CSV of a version), or None for anything else."""
    parsed = parse_chart_file(name)
    if parsed is None or parsed[2] not in versions.VERSION_KINDS or not is_valid_id(parsed[0]):
        return None
    return parsed[0]


# ---------------------------------------------------------------------------
# Site assets


def export_site_assets(
    ctx_or_specs: ChartContext | Mapping[str, dict] | Path | str,
    out_dir: Path,
    *,
    cache_dir: Path,
    registry: Registry | None = None,
    max_workers: int | None = None,
) -> list[dict]:
    """Render light/dark SVG, PNG and precompiled Vega for every chart; return each chart's meta.

    ``ctx_or_specs`` is a ChartContext (charts are built from ``registry``), a mapping of
    chart id to published Vega-Lite spec, or the directory ``build_all`` wrote.
    Renders are cached by content hash under ``cache_dir`` (the build's is ``.cache/charts``);
    misses are drawn by a pool of ``max_workers`` processes (0: in this process).
    """
    specs = load_specs(ctx_or_specs, registry)
    cache_dir = Path(cache_dir)
    jobs = {chart_id: plan_render(chart_id, spec) for chart_id, spec in specs.items()}
    with RenderPool(cache_dir, max_workers) as renderer:
        for job in jobs.values():
            renderer.submit(job)
        renderer.wait()
    return write_site_assets(specs, jobs, Path(out_dir), cache_dir)


def write_site_assets(specs: Mapping[str, dict], jobs: Mapping[str, RenderJob], out_dir: Path,
                      cache_dir: Path) -> list[dict]:
    """Copy each drawn chart's files from the render cache into ``out_dir/<id>/`` with its meta.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    metas = [write_chart_assets(specs[chart_id], job, out_dir, cache_dir) for chart_id, job in jobs.items()]
    for path in out_dir.iterdir():
        if path.is_dir() and path.name not in jobs and is_valid_id(path.name) and (path / "meta.json").is_file():
            shutil.rmtree(path)
    return metas


def write_chart_assets(spec: dict, job: RenderJob, out_dir: Path, cache_dir: Path) -> dict:
    """Copy one drawn chart's files into ``out_dir/<id>/``, its meta.json last (a page waits for it)."""
    meta = site_meta(spec, job, cache_dir)
    chart_dir = out_dir / job.chart_id
    chart_dir.mkdir(parents=True, exist_ok=True)
    for name in SITE_ASSET_FILES:
        write_if_changed(chart_dir / name, (cache_dir / job.key / name).read_bytes())
    write_if_changed(chart_dir / "meta.json", dumps_json(meta).encode("utf-8"))
    return meta


def site_meta(spec: dict, job: RenderJob, cache_dir: Path) -> dict:
    """What the pages need to know of a drawn chart (its sizes above all), from the render cache."""
    size = json.loads((cache_dir / job.key / "size.json").read_text(encoding="utf-8"))
    usermeta = spec.get("usermeta", {})
    return {
        "id": job.chart_id,
        "title": usermeta.get("title"),
        "section": usermeta.get("section"),
        "description": usermeta.get("description", spec.get("description")),
        "width": size["width"],
        "height": size["height"],
        "narrow_width": size["narrow_width"],
        "narrow_height": size["narrow_height"],
        "wide_width": size["wide_width"],
        "wide_height": size["wide_height"],
        "files": {
            scheme: {"svg": f"{scheme}.svg", "png": f"{scheme}.png", "vega": f"{scheme}.vg.json"}
            for scheme in theme.SCHEMES
        },
        "hash": job.drawing_id,
    }


def plan_render(chart_id: str, light_spec: dict) -> RenderJob:
    """What to draw for a chart's site assets, keyed by everything that shapes the files.

    Normally one drawing with placeholder inks, painted light and dark (see scripts.charts.static);
    a spec that happens to hold a placeholder colour is drawn once per scheme instead.
    """
    template_config, inks = theme.ink_placeholders()
    text = json.dumps(light_spec).lower()
    if any(token in text for token in inks["light"]):
        drawings = {scheme: restyle(light_spec, scheme) for scheme in theme.SCHEMES}
        paints = {scheme: (scheme, {}) for scheme in theme.SCHEMES}
    else:
        drawings = {"placeholder-inks": theme.role_placeholders(_with_config(light_spec, template_config))}
        paints = {scheme: ("placeholder-inks", inks[scheme]) for scheme in theme.SCHEMES}
    fingerprint = {
        "drawings": drawings,
        "paints": paints,
        "static_size": [STATIC_WIDTH, STATIC_HEIGHT, NARROW_WIDTH, WIDE_WIDTH],
        "png_scale": PNG_SCALE,
        "vegalite": vegalite_version(),
        "vl_convert": vlc.__version__,
        # Once a number bumped by hand for the render cache, which is now keyed on the renderer's
        # code instead; it stays only so that the published ids (meta.json "hash") do not change.
        "format": 6,
    }
    drawing_id = hashlib.sha256(dumps_json(fingerprint).encode("utf-8")).hexdigest()
    captions = image_captions(chart_id, light_spec)
    return RenderJob(chart_id=chart_id, drawings=drawings, paints=paints, vl_version=vegalite_version(),
                     drawing_id=drawing_id, key=build_cache.key(drawing_id, renderer_code(), captions),
                     captions=captions)


def image_captions(chart_id: str, spec: dict) -> dict:
    """What the publish-ready images print (scripts.charts.images): the chart's texts as its
    usermeta records them from the catalogue, the credit and licence of the project's identity."""
    usermeta = spec.get("usermeta", {})
    return {
        "id": chart_id,
        "title": usermeta.get("title") or chart_id,
        "subtitle": usermeta.get("subtitle", ""),
        "description": usermeta.get("description") or spec.get("description", ""),
        "source": usermeta.get("source") or identity().report.short,
        **site_captions(),
        "credit_line": credit_line(usermeta.get("source")),
        "files": MADE_IMAGES,
    }


def site_captions() -> dict:
    """The site's name, credit and licence, and the theme's font and inks, as images print them."""
    about = identity()
    configs = {scheme: theme.config(scheme) for scheme in theme.SCHEMES}
    return {
        "site": about.name,
        "credit": about.credit,
        "licence": about.licence,
        "licence_url": about.licence_url,
        # Images print the one credit line: with the chart's own source, or (cards) the report's short citation.
        "credit_line": credit_line(),
        "card_credit": credit_line(),
        "font": configs["light"]["font"],
        "schemes": {
            scheme: {"background": config["background"], "text": config["title"]["color"],
                     "muted": config["title"]["subtitleColor"]}
            for scheme, config in configs.items()
        },
    }


def load_specs(source: ChartContext | Mapping[str, dict] | Path | str, registry: Registry | None = None) -> dict[str, dict]:
    if isinstance(source, ChartContext):
        return {chart.id: chart.spec for chart in build_specs(source, registry)}
    if isinstance(source, (str, Path)):
        directory = Path(source)
        catalogue = json.loads((directory / "index.json").read_text(encoding="utf-8"))
        return {
            item["id"]: json.loads((directory / item["files"]["vegalite"]).read_text(encoding="utf-8"))
            for item in catalogue
        }
    if isinstance(source, Mapping):
        for chart_id in source:
            if not is_valid_id(chart_id):
                raise ValueError(f"invalid chart id {chart_id!r}")
        return dict(source)
    raise TypeError(f"expected a ChartContext, a mapping of specs or a directory, not {type(source).__name__}")


# ---------------------------------------------------------------------------
# Spec transformations


def restyle(spec: dict, scheme: theme.Scheme) -> dict:
    """A copy of a published (light) spec drawn in the site theme for ``scheme``.

    The theme goes beneath the spec's own config, as a reuser's vega-embed ``config`` does:
    config values a chart set itself (they differ from the light theme) are kept; the palette's
    role colours in the marks take their ``scheme`` values.
    """
    return theme.swap_roles(_with_config(spec, theme.config(scheme)), scheme)


def _with_config(spec: dict, new_theme: dict) -> dict:
    """A copy of a published (light) spec with its theme values replaced by ``new_theme``'s."""
    restyled = copy.deepcopy(spec)
    restyled["config"] = _swap_theme(spec.get("config", {}), theme.config("light"), new_theme)
    return restyled


def _swap_theme(current: dict, old: dict, new: dict) -> dict:
    swapped = dict(current)
    for key, new_value in new.items():
        if key not in current:
            swapped[key] = new_value
        elif isinstance(current[key], dict) and isinstance(old.get(key), dict) and isinstance(new_value, dict):
            swapped[key] = _swap_theme(current[key], old[key], new_value)
        elif current[key] == old.get(key):
            swapped[key] = new_value
    return swapped


# ---------------------------------------------------------------------------
# Serialisation helpers


@cache
def vegalite_version() -> str:
    """The Vega-Lite version Altair's schema targets, as vl-convert names it ("6.4")."""
    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    available = vlc.get_vegalite_versions()
    if wanted not in available:
        raise RuntimeError(
            f"vl-convert {vlc.__version__} cannot render Vega-Lite {wanted} (Altair {alt.__version__}); "
            f"it supports {', '.join(available)}"
        )
    return wanted


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes: UTF-8, LF line ends, no index; floats as their shortest exact repr; booleans
    written true/false, as in the data package."""
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column].dropna()
        if len(values) and values.map(lambda value: isinstance(value, (bool, np.bool_))).all():
            frame[column] = frame[column].map(lambda value: value if pd.isna(value) else str(bool(value)).lower())
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_if_changed(path: Path, data: bytes) -> bool:
    """Atomically write ``data`` to ``path`` unless it already holds exactly that; True if written."""
    if path.is_file() and path.read_bytes() == data:
        return False
    staging = path.with_name(f".{path.name}.tmp")
    staging.write_bytes(data)
    os.replace(staging, path)
    return True


"""Publish registered charts: Vega-Lite specs + CSV for download, and static/precompiled site assets.

``build_all`` writes the open-data side (``charts/<id>.vl.json``, ``charts/<id>.csv``,
``charts/index.json``); ``export_site_assets`` renders what the pages embed
(``<out>/<id>/{light,dark}.{svg,png,vg.json}`` and ``meta.json``).

Both are deterministic: the same registry and data give byte-identical files.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc

import scripts
from scripts.charts import theme
from scripts.charts.context import ChartContext
from scripts.charts.registry import (
    ChartBuildError,
    RegisteredChart,
    Registry,
    default_registry,
    is_valid_id,
)
from scripts import paths
from scripts.charts import versions
from scripts.charts.versions import ChartVersion, chart_versions
from scripts.paths import BUILD_CACHE, CHARTS, ROOT, SECTION_PAGES

# Kept in step with CITATION.cff at the repository root.
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
CITATION = (
    "Combating Terrorism Center at West Point, \"Beyond the Caliphate: Islamic State Activity "
    "Outside the Group's Defined Wilayat — Belgium\" (2018), https://ctc.usma.edu/beyond-the-caliphate/"
)
CREDIT = "Beyond the Caliphate: Belgium microsite team"

STATIC_WIDTH = 640  # replaces width "container" in SVG/PNG exports
# Phones get their own layout rather than the 640 px one scaled down to unreadable text.
NARROW_WIDTH = 340
STATIC_HEIGHT = 400  # replaces height "container", should a chart use it
PNG_SCALE = 2  # sharp on high-density screens
# Bump when rendering options or the asset layout change: it invalidates the render cache.
ASSET_FORMAT = 5
PROCESS_POOL_MIN = 6  # cache misses worth starting worker processes for
# Static renders measure text with DejaVu Sans, the widest face in the theme's font stack, from a
# pinned npm package so every build machine measures alike (see theme.FONT).
MEASURE_FONTS = ROOT / "node_modules" / "dejavu-fonts-ttf" / "ttf"
SITE_ASSET_FILES = tuple(
    f"{scheme}.{kind}" for kind in ("svg", "png", "vg.json") for scheme in theme.SCHEMES
) + tuple(f"{scheme}-narrow.{kind}" for kind in ("svg", "vg.json") for scheme in theme.SCHEMES)
DEFAULT_CACHE_DIR = BUILD_CACHE / "charts"

# Sub-trees that hold data or metadata rather than layout; never rewritten.
_NON_LAYOUT_KEYS = frozenset({"data", "datasets", "usermeta"})


@dataclass(frozen=True)
class BuiltChart:
    """A chart function's output, ready to publish."""

    entry: RegisteredChart
    spec: dict[str, Any]  # Vega-Lite, light config embedded, data inline, usermeta added
    frame: pd.DataFrame  # exactly the data shown, published as CSV
    description: str
    version: ChartVersion

    @property
    def id(self) -> str:
        return self.entry.id

    def catalogue_entry(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.entry.title,
            "section": self.entry.section,
            "description": self.description,
            "version": self.version.number,
            "date": self.version.date,
            "files": {
                "vegalite": self.version.path(self.id, ".vl.json"),
                "csv": self.version.path(self.id, ".csv"),
            },
        }


# ---------------------------------------------------------------------------
# Specs


def build_chart(entry: RegisteredChart, ctx: ChartContext, version: ChartVersion | None = None,
                site_url: str | None = None) -> BuiltChart:
    """Run one chart function and turn its output into a self-contained Vega-Lite spec."""
    version = version or ChartVersion(1, "")
    site_url = paths.site_url() if site_url is None else site_url
    figure, frame = entry.build(ctx)
    description = entry.description(ctx)
    try:
        # The light theme is merged in by Altair (chart-level configure_* calls win), so the
        # published JSON carries its whole config and renders the same without this code.
        with (
            alt.theme.enable(theme.THEME_NAMES["light"]),
            alt.data_transformers.enable("default", max_rows=None),
        ):
            spec = figure.to_dict(validate=True)
        spec.setdefault("description", description)  # becomes the SVG's aria-label
        spec["usermeta"] = {
            **spec.get("usermeta", {}),
            "id": entry.id,
            "section": entry.section,
            "title": entry.title,
            "description": description,
            "source": entry.source,
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "citation": CITATION,
            "credit": CREDIT,
            "version": version.number,
            "date": version.date,
            "url": site_url + "charts/" + version.path(entry.id, ".vl.json"),
            "page": f"{site_url}{SECTION_PAGES[entry.section]}#chart-{entry.id}",
        }
        dumps_json(spec)  # fail here, naming the chart, on NaN or unserialisable values
    except Exception as exc:
        raise ChartBuildError(f"chart {entry.id!r} could not be serialised: {exc}") from exc
    return BuiltChart(entry=entry, spec=spec, frame=frame, description=description, version=version)


def build_specs(ctx: ChartContext, registry: Registry | None = None, site_url: str | None = None) -> list[BuiltChart]:
    """Build every registered chart, in catalogue order (section, then id)."""
    registry = default_registry if registry is None else registry
    registry.discover()
    entries = registry.charts()
    versions = chart_versions(ctx.tables.get("corrections"), [entry.id for entry in entries])
    return [build_chart(entry, ctx, versions[entry.id], site_url) for entry in entries]


def build_all(ctx: ChartContext, out_dir: Path = CHARTS, *, registry: Registry | None = None,
              previous: Path | None = None, site_url: str | None = None) -> list[dict]:
    """Write ``v<N>/<id>.vl.json``, ``v<N>/<id>.csv`` and ``index.json``; return the catalogue.

    ``previous`` is the charts/ directory already published (default: ``out_dir`` itself):
    earlier versions are carried over from it unchanged, and the current version's data
    must match what it holds (see scripts.charts.versions).

    Everything is rendered before anything in ``out_dir`` is touched, so a failing chart
    leaves the previous outputs as they were. Files of charts that are no longer
    registered are removed; other files in ``out_dir`` are left alone.
    """
    out_dir = Path(out_dir)
    previous = out_dir if previous is None else Path(previous)
    built = build_specs(ctx, registry, site_url)
    catalogue = [chart.catalogue_entry() for chart in built]

    files = versions.archived_files(previous, {chart.id: chart.version for chart in built})
    files["index.json"] = dumps_json(catalogue).encode("utf-8")
    csvs = {chart.id: frame_to_csv(chart.frame) for chart in built}
    versions.check_data_unchanged(previous, {chart.id: (chart.version, csvs[chart.id]) for chart in built})
    for chart in built:
        files[chart.version.path(chart.id, ".vl.json")] = dumps_json(chart.spec).encode("utf-8")
        files[chart.version.path(chart.id, ".csv")] = csvs[chart.id]

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
    for folder in out_dir.glob("v*"):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return catalogue


def _chart_file_id(name: str) -> str | None:
    """The chart id of a file written by build_all (``v<N>/<id>.<suffix>``), or None for anything else."""
    folder, _, file_name = name.rpartition("/")
    if not (folder.startswith("v") and folder[1:].isdigit()):
        return None
    for suffix in (".vl.json", ".csv"):
        if file_name.endswith(suffix) and is_valid_id(file_name[: -len(suffix)]):
            return file_name[: -len(suffix)]
    return None


# ---------------------------------------------------------------------------
# Site assets


def export_site_assets(
    ctx_or_specs: ChartContext | Mapping[str, dict] | Path | str,
    out_dir: Path,
    *,
    cache_dir: Path | None = None,
    registry: Registry | None = None,
    max_workers: int | None = None,
) -> list[dict]:
    """Render light/dark SVG, PNG and precompiled Vega for every chart; return each chart's meta.

    ``ctx_or_specs`` is a ChartContext (charts are built from ``registry``), a mapping of
    chart id to published Vega-Lite spec, or the directory ``build_all`` wrote.
    Renders are cached by content hash under ``cache_dir`` (default ``.cache/charts``).
    """
    specs = _load_specs(ctx_or_specs, registry)
    out_dir = Path(out_dir)
    cache_dir = DEFAULT_CACHE_DIR if cache_dir is None else Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)

    jobs = {chart_id: _AssetJob.plan(chart_id, spec) for chart_id, spec in specs.items()}
    misses = [job for job in jobs.values() if not _cache_complete(cache_dir / job.key)]
    # vl-convert runs Vega in one JS worker per process, so a cold render of many charts is
    # spread over processes (one per core); a few misses are cheaper in this process's threads.
    workers = max_workers or min(len(misses), os.cpu_count() or 1) or 1
    if workers > 1 and len(misses) >= PROCESS_POOL_MIN:
        _render_in_processes(misses, cache_dir, workers)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for job, rendered in zip(misses, pool.map(_AssetJob.render, misses)):
                _store_in_cache(cache_dir / job.key, rendered)

    out_dir.mkdir(parents=True, exist_ok=True)
    metas = []
    for chart_id, job in jobs.items():
        cached = cache_dir / job.key
        size = json.loads((cached / "size.json").read_text(encoding="utf-8"))
        usermeta = specs[chart_id].get("usermeta", {})
        meta = {
            "id": chart_id,
            "title": usermeta.get("title"),
            "section": usermeta.get("section"),
            "description": usermeta.get("description", specs[chart_id].get("description")),
            "width": size["width"],
            "height": size["height"],
            "narrow_width": size["narrow_width"],
            "narrow_height": size["narrow_height"],
            "files": {
                scheme: {"svg": f"{scheme}.svg", "png": f"{scheme}.png", "vega": f"{scheme}.vg.json"}
                for scheme in theme.SCHEMES
            },
            "hash": job.key,
        }
        chart_dir = out_dir / chart_id
        chart_dir.mkdir(exist_ok=True)
        for name in SITE_ASSET_FILES:
            write_if_changed(chart_dir / name, (cached / name).read_bytes())
        write_if_changed(chart_dir / "meta.json", dumps_json(meta).encode("utf-8"))
        metas.append(meta)

    for path in out_dir.iterdir():
        if path.is_dir() and path.name not in jobs and is_valid_id(path.name) and (path / "meta.json").is_file():
            shutil.rmtree(path)
    return metas


@dataclass(frozen=True)
class _AssetJob:
    chart_id: str
    specs: dict[str, dict]  # scheme -> Vega-Lite spec (responsive, width "container")
    key: str

    @classmethod
    def plan(cls, chart_id: str, light_spec: dict) -> _AssetJob:
        specs = {scheme: restyle(light_spec, scheme) for scheme in theme.SCHEMES}
        fingerprint = {
            "specs": specs,
            "static_size": [STATIC_WIDTH, STATIC_HEIGHT, NARROW_WIDTH],
            "png_scale": PNG_SCALE,
            "vegalite": vegalite_version(),
            "vl_convert": vlc.__version__,
            "format": ASSET_FORMAT,
        }
        key = hashlib.sha256(dumps_json(fingerprint).encode("utf-8")).hexdigest()
        return cls(chart_id=chart_id, specs=specs, key=key)

    def render(self) -> dict[str, bytes]:
        _register_measure_fonts()
        try:
            files: dict[str, bytes] = {}
            for scheme, spec in self.specs.items():
                for suffix, width in (("", STATIC_WIDTH), ("-narrow", NARROW_WIDTH)):
                    fixed = static_spec(spec, width=width)
                    # Compiled once, at the SVG's own size: the live view then takes exactly the
                    # static image's place, and CSS scales both with the column.
                    vega = vlc.vegalite_to_vega(fixed, vl_version=vegalite_version())
                    files[f"{scheme}{suffix}.vg.json"] = dumps_json(vega).encode("utf-8")
                    svg = vlc.vega_to_svg(vega)
                    files[f"{scheme}{suffix}.svg"] = svg.encode("utf-8")
                    if not suffix:
                        files[f"{scheme}.png"] = vlc.svg_to_png(svg, scale=PNG_SCALE)
            width, height = svg_size(files["light.svg"])
            narrow_width, narrow_height = svg_size(files["light-narrow.svg"])
        except Exception as exc:
            reason = str(exc).split("\n", 1)[0]  # vl-convert appends a long Rust backtrace
            raise ChartBuildError(f"chart {self.chart_id!r} could not be rendered: {reason}") from exc
        files["size.json"] = dumps_json(
            {"width": width, "height": height, "narrow_width": narrow_width, "narrow_height": narrow_height}
        ).encode("utf-8")
        return files


def _render_in_processes(jobs: list[_AssetJob], cache_dir: Path, workers: int) -> None:
    """Render jobs in worker processes (``python -m scripts.charts.export``), each into the cache."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    running = []
    for chunk in (jobs[index::workers] for index in range(workers)):
        payload = json.dumps([{"chart_id": job.chart_id, "specs": job.specs, "key": job.key} for job in chunk])
        process = subprocess.Popen(
            [sys.executable, "-m", "scripts.charts.export", str(cache_dir)],
            stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
        )
        process.stdin.write(payload)
        process.stdin.close()
        running.append(process)
    failures = [process.stderr.read().strip() for process in running if process.wait() != 0]
    if failures:
        raise ChartBuildError(failures[0].splitlines()[-1] if failures[0] else "a chart render worker failed")


def _worker_main(cache_dir: str) -> int:
    """Entry point of a render worker: jobs as JSON on stdin, results into the cache."""
    for item in json.load(sys.stdin):
        job = _AssetJob(chart_id=item["chart_id"], specs=item["specs"], key=item["key"])
        try:
            _store_in_cache(Path(cache_dir) / job.key, job.render())
        except ChartBuildError as err:
            print(err, file=sys.stderr)
            return 1
    return 0


@cache
def _register_measure_fonts() -> None:
    if not (MEASURE_FONTS / "DejaVuSans.ttf").is_file():
        raise ChartBuildError(f"{MEASURE_FONTS} is missing: run `npm ci` (make site does this)")
    vlc.register_font_directory(str(MEASURE_FONTS))


def _cache_complete(entry: Path) -> bool:
    return all((entry / name).is_file() for name in (*SITE_ASSET_FILES, "size.json"))


def _store_in_cache(entry: Path, files: dict[str, bytes]) -> None:
    # Write beside the final place, then rename: a half-written entry never looks like a hit.
    staging = Path(tempfile.mkdtemp(dir=entry.parent, prefix=".tmp-"))
    for name, data in files.items():
        (staging / name).write_bytes(data)
    if _cache_complete(entry):  # a parallel build (e.g. another test worker) got there first
        shutil.rmtree(staging, ignore_errors=True)
        return
    if entry.exists():
        shutil.rmtree(entry, ignore_errors=True)  # an incomplete entry from an interrupted run
    try:
        os.replace(staging, entry)
    except OSError:  # lost a race to an identical entry
        shutil.rmtree(staging, ignore_errors=True)


def _load_specs(source: ChartContext | Mapping[str, dict] | Path | str, registry: Registry | None) -> dict[str, dict]:
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
    """A copy of a published (light) spec with the site theme swapped for ``scheme``.

    Config values a chart overrode itself (they differ from the light theme) are kept.
    """
    restyled = copy.deepcopy(spec)
    restyled["config"] = _swap_theme(spec.get("config", {}), theme.config("light"), theme.config(scheme))
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


def static_spec(spec: dict, width: int = STATIC_WIDTH, height: int = STATIC_HEIGHT) -> dict:
    """A copy of ``spec`` with width/height "container" replaced by fixed sizes, for images.

    Vega-Lite sizes a "container" chart with autosize "fit"; keeping that for the fixed
    size makes the image exactly ``width`` wide, axes and legend included, as on the page.
    """
    fixed = {"width": width, "height": height}
    fit = {
        (True, False): "fit-x",
        (False, True): "fit-y",
        (True, True): "fit",
    }.get((spec.get("width") == "container", spec.get("height") == "container"))

    def fix(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: (
                    value
                    if key in _NON_LAYOUT_KEYS
                    else fixed[key]
                    if key in fixed and value == "container"
                    else fix(value)
                )
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [fix(item) for item in node]
        return node

    fixed_spec = fix(spec)
    if fit is not None and "autosize" not in fixed_spec:
        fixed_spec["autosize"] = {"type": fit, "contains": "padding"}
    return fixed_spec


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


# Characters escaped so the JSON can also be inlined in an HTML <script> safely;
# they only ever occur inside JSON strings, where \uXXXX escapes are equivalent.
_HTML_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def dumps_json(value: Any) -> str:
    """Canonical JSON: sorted keys, 2-space indent, UTF-8 text, no NaN, trailing newline."""
    text = json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    for char, escaped in _HTML_UNSAFE.items():
        text = text.replace(char, escaped)
    return text + "\n"


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes: UTF-8, LF line ends, no index; floats as their shortest exact repr."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def svg_size(svg: bytes | str) -> tuple[float | int, float | int]:
    """Width and height of an SVG document's root element."""
    root = ET.fromstring(svg)
    width, height = (float(root.attrib[name]) for name in ("width", "height"))
    return tuple(int(value) if value.is_integer() else value for value in (width, height))  # type: ignore[return-value]


def write_if_changed(path: Path, data: bytes) -> bool:
    """Atomically write ``data`` to ``path`` unless it already holds exactly that; True if written."""
    if path.is_file() and path.read_bytes() == data:
        return False
    staging = path.with_name(f".{path.name}.tmp")
    staging.write_bytes(data)
    os.replace(staging, path)
    return True


if __name__ == "__main__":
    raise SystemExit(_worker_main(sys.argv[1]))

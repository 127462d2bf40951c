"""Static renders of a chart for the site: SVG and PNG, and the compiled Vega the live chart runs.

Drawing is the slow part of a cold build (Vega lays out every label), so each layout is drawn
once for both colour schemes: the chart is rendered with placeholder colours wherever the light
and dark themes differ (background, text, rules, grid), and the one drawing is then painted
light and dark by replacing the placeholders. Colour never moves anything, so the painted files
are the ones a render per scheme gives (tests/test_charts.py checks this for every chart).

This module imports nothing heavier than vl-convert: render workers
(``python -m scripts.charts.static CACHE_DIR``) start in a fraction of a second.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import vl_convert as vlc

from scripts import cache as build_cache
from scripts.errors import BuildError
from scripts.paths import ROOT

STATIC_WIDTH = 640  # replaces width "container" in SVG/PNG exports
# Phones get their own layout rather than the 640 px one scaled down to unreadable text.
NARROW_WIDTH = 340
# Wide embeds get theirs too, drawn with the same type sizes, rather than the 640 px one scaled up.
WIDE_WIDTH = 960
STATIC_HEIGHT = 400  # replaces height "container", should a chart use it
PNG_SCALE = 2  # sharp on high-density screens
LAYOUTS = (("", STATIC_WIDTH), ("-narrow", NARROW_WIDTH), ("-wide", WIDE_WIDTH))  # file suffix, width
# Static renders measure text with DejaVu Sans, the widest face in the theme's font stack, from a
# pinned npm package so every build machine measures alike (see theme.FONT).
MEASURE_FONTS = ROOT / "node_modules" / "dejavu-fonts-ttf" / "ttf"
POLL_SECONDS = 0.02  # how often a wait for one chart looks at the cache

# Sub-trees that hold data or metadata rather than layout; never rewritten.
_NON_LAYOUT_KEYS = frozenset({"data", "datasets", "usermeta"})


class RenderError(BuildError):
    """vl-convert could not draw a chart."""


@dataclass(frozen=True)
class RenderJob:
    """What to draw for one chart, and how to paint each colour scheme from the drawings.

    ``drawings`` maps a drawing name to a Vega-Lite spec; ``paints`` maps each scheme to the
    drawing it is painted from and the colour replacements (placeholder → colour) to apply.
    """

    chart_id: str
    drawings: dict[str, dict]
    paints: dict[str, tuple[str, dict[str, str]]]
    vl_version: str
    drawing_id: str  # what is drawn (published as the chart's "hash")
    key: str  # its render cache entry: what is drawn, and by which code
    # The texts, inks and file names of the publish-ready images (scripts.charts.images); none: none made.
    captions: dict = field(default_factory=dict)

    @property
    def files(self) -> tuple[str, ...]:
        return asset_files(tuple(self.paints)) + tuple(self.captions.get("files", {}).values())

    def to_json(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RenderJob:
        fields = json.loads(text)
        fields["paints"] = {scheme: tuple(paint) for scheme, paint in fields["paints"].items()}
        return cls(**fields)

    def render(self) -> dict[str, bytes]:
        _register_measure_fonts()
        files: dict[str, bytes] = {}
        try:
            for suffix, width in LAYOUTS:
                drawn = {}
                for name, spec in self.drawings.items():
                    vega = dumps_json(vlc.vegalite_to_vega(static_spec(spec, width=width), vl_version=self.vl_version))
                    # Compiled once, at the SVG's own size: the live view then takes exactly the
                    # static image's place, and CSS scales both with the column.
                    drawn[name] = (vega, vlc.vega_to_svg(json.loads(vega)))
                for scheme, (name, colours) in self.paints.items():
                    vega, svg = (paint(text, colours) for text in drawn[name])
                    files[f"{scheme}{suffix}.vg.json"] = vega.encode("utf-8")
                    files[f"{scheme}{suffix}.svg"] = svg.encode("utf-8")
                    files[f"{scheme}{suffix}.png"] = vlc.svg_to_png(svg, scale=PNG_SCALE)
            if self.captions:
                from scripts.charts import images

                files.update(images.publish_files(self.chart_id, files, self.captions))
        except Exception as exc:
            reason = str(exc).split("\n", 1)[0]  # vl-convert appends a long Rust backtrace
            raise RenderError(f"chart {self.chart_id!r} could not be rendered: {reason}") from exc
        first = next(iter(self.paints))
        width, height = svg_size(files[f"{first}.svg"])
        narrow_width, narrow_height = svg_size(files[f"{first}-narrow.svg"])
        wide_width, wide_height = svg_size(files[f"{first}-wide.svg"])
        files["size.json"] = dumps_json(
            {"width": width, "height": height, "narrow_width": narrow_width, "narrow_height": narrow_height,
             "wide_width": wide_width, "wide_height": wide_height}
        ).encode("utf-8")
        return files


def asset_files(schemes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{scheme}.{kind}" for kind in ("svg", "png", "vg.json") for scheme in schemes) + tuple(
        f"{scheme}{suffix}.{kind}"
        for suffix, kinds in (("-narrow", ("svg", "png", "vg.json")), ("-wide", ("svg", "vg.json")))
        for kind in kinds for scheme in schemes
    )


def paint(text: str, colours: dict[str, str]) -> str:
    """Replace each placeholder colour (a whole #rrggbb token, any case) by its colour."""
    if not colours:
        return text
    pattern = re.compile("|".join(re.escape(token) for token in colours) + r"(?![0-9a-fA-F])", re.I)
    lookup = {token.lower(): colour for token, colour in colours.items()}
    return pattern.sub(lambda match: lookup[match.group(0).lower()], text)


@cache
def _register_measure_fonts() -> None:
    if not (MEASURE_FONTS / "DejaVuSans.ttf").is_file():
        raise RenderError(f"{MEASURE_FONTS} is missing: run `npm ci` (make site does this)")
    vlc.register_font_directory(str(MEASURE_FONTS))


# ---------------------------------------------------------------------------
# The render cache: one folder per job key, holding every file of the job (whole or absent)


@cache
def renderer_code() -> str:
    """The digest of the code that draws (this module and what it imports), part of each key."""
    return build_cache.code_digest(ROOT, [__spec__.name if __spec__ else __name__])


def cached(cache_dir: Path, job: RenderJob) -> bool:
    return (cache_dir / job.key).is_dir()


def render_into_cache(cache_dir: Path, job: RenderJob) -> None:
    def write(folder: Path) -> None:
        for name, data in job.render().items():
            (folder / name).write_bytes(data)

    build_cache.entry(cache_dir, job.key, write, directory=True)


class RenderPool:
    """Render jobs into the cache, in worker processes started as the first jobs arrive.

    vl-convert runs Vega in one JavaScript worker per process, so charts are drawn in parallel
    by processes, one per core. They start on demand: a build whose renders are all cached
    starts none, and workers warm up while the rest of the specs are still being built.
    ``max_workers=0`` renders in this process instead (used by tests that patch vl-convert).
    """

    def __init__(self, cache_dir: Path, max_workers: int | None = None) -> None:
        self.cache_dir = Path(cache_dir)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.max_workers = (os.cpu_count() or 1) if max_workers is None else max_workers
        self._workers: list[tuple[subprocess.Popen, list[str]]] = []
        self._submitted: set[str] = set()

    def submit(self, job: RenderJob) -> None:
        """Render ``job`` unless its files are cached or it is already on its way."""
        if job.key in self._submitted or cached(self.cache_dir, job):
            return
        self._submitted.add(job.key)
        if self.max_workers == 0:
            render_into_cache(self.cache_dir, job)
            return
        if len(self._workers) < self.max_workers:
            self._workers.append((self._start_worker(), []))
        process, charts = min(self._workers, key=lambda worker: len(worker[1]))
        charts.append(job.chart_id)
        # The job goes by file: a spec with map shapes inline would fill the pipe and stall
        # this process until the worker is free to read it.
        jobs = self.cache_dir / ".jobs"
        jobs.mkdir(exist_ok=True)
        path = jobs / f"{job.key}.{os.getpid()}.json"
        path.write_text(job.to_json(), encoding="utf-8")
        process.stdin.write(f"{path}\n")
        process.stdin.flush()

    def _start_worker(self) -> subprocess.Popen:
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        return subprocess.Popen(
            [sys.executable, "-m", "scripts.charts.static", str(self.cache_dir)],
            stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
        )

    def done(self, job: RenderJob) -> bool:
        """Whether ``job``'s files are in the cache; a RenderError once a worker has failed."""
        if cached(self.cache_dir, job):
            return True
        if any(process.poll() not in (None, 0) for process, _ in self._workers):
            self.wait()  # raises, naming the chart that failed
        if job.key not in self._submitted or not self._workers:
            raise RenderError(f"chart {job.chart_id!r} was never submitted for drawing")
        return False

    def wait_for(self, job: RenderJob) -> None:
        """Wait until ``job``'s files are in the cache, while the other jobs go on drawing."""
        while not self.done(job):
            time.sleep(POLL_SECONDS)

    def wait(self) -> None:
        """Wait for every submitted job; raise RenderError naming the first chart that failed."""
        workers, self._workers = self._workers, []
        for process, _ in workers:
            process.stdin.close()
        failures = [(process.stderr.read().strip(), charts) for process, charts in workers if process.wait() != 0]
        if failures:
            message, charts = failures[0]
            last = message.splitlines()[-1] if message else ""
            raise RenderError(last if last.startswith("chart ") else f"a render worker failed on {charts}: {last}")

    def __enter__(self) -> RenderPool:
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        if exc_type is None:
            self.wait()
            return
        for process, _ in self._workers:  # the build failed elsewhere: stop drawing
            process.kill()
            process.wait()


def _worker_main(cache_dir: str) -> int:
    """A render worker: one job file per line on stdin, results into the cache."""
    for line in sys.stdin:
        path = Path(line.rstrip("\n"))
        job = RenderJob.from_json(path.read_text(encoding="utf-8"))
        path.unlink()
        try:
            render_into_cache(Path(cache_dir), job)
        except RenderError as err:
            print(err, file=sys.stderr)
            return 1
    return 0


# ---------------------------------------------------------------------------
# Helpers shared with the exporter


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


# Characters escaped so the JSON can also be inlined in an HTML <script> safely;
# they only ever occur inside JSON strings, where \uXXXX escapes are equivalent.
_HTML_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def dumps_json(value: Any) -> str:
    """Canonical JSON: sorted keys, 2-space indent, UTF-8 text, no NaN, trailing newline."""
    text = json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    for char, escaped in _HTML_UNSAFE.items():
        text = text.replace(char, escaped)
    return text + "\n"


def svg_size(svg: bytes | str) -> tuple[float | int, float | int]:
    """Width and height of an SVG document's root element."""
    root = ET.fromstring(svg)
    width, height = (float(root.attrib[name]) for name in ("width", "height"))
    return tuple(int(value) if value.is_integer() else value for value in (width, height))  # type: ignore[return-value]


if __name__ == "__main__":
    raise SystemExit(_worker_main(sys.argv[1]))

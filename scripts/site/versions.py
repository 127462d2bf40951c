"""Published chart versions: every file of a version in one folder, kept forever, never changed.

Each version of each chart is published under ``charts/<id>/v<N>/`` (scripts.project.CHART_FILES
lists its files): the spec, CSV and workbook the chart step committed, the images and compiled
Vega drawn from that version's own spec, the zip, and the embed pages. Older versions are drawn
again from their frozen spec after a correction, so an old embed still shows the old data.

A version's files do not depend on where the site is deployed: they carry the project's canonical
address (mkdocs.yml's site_url) and otherwise relative links, so a fork builds the same bytes. The
scripts and styles an embed page loads are frozen copies named by their content
(``assets/embed/<name>.<hash>.<ext>``), kept in charts/embed-assets/ so that an old embed keeps
its exact scripts after the site's own change.

``charts/published.json`` records every file of every version with its SHA-256, written by each
full build. A build that would change or drop a recorded file stops, naming it. Before the first
deployment the record may be reset (delete it and rebuild); never after.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from html import escape
from io import BytesIO
from pathlib import Path

from scripts import project
from scripts.charts.build import ASSETS_DIR
from scripts.charts.export import plan_render, site_meta
from scripts.charts.static import RenderPool, dumps_json
from scripts.charts.versions import CORRECTIONS_FILE, FROZEN_ASSETS, RECORD_FILE
from scripts.errors import BuildError
from scripts.paths import Layout, site_url
from scripts.site import render

# What an embed page loads, by its path under assets/; each is published as a frozen copy.
EMBED_ASSETS = ("images/favicon.png", "css/site.css", "css/embed.css", "js/vega-runtime.js", "js/chart-loader.js",
                "js/embed.js")
FROZEN_FOLDER = "embed/"  # under assets/
# chart-loader.js finds the Vega runtime beside itself: its frozen copy imports the frozen runtime.
RUNTIME_IMPORT = '"./vega-runtime.js"'
SHOWN_PROBLEMS = 12


class PublishedVersionChanged(BuildError):
    """A file of a published chart version would change or disappear."""


def canonical_url(root: Path) -> str:
    """The project's own address (mkdocs.yml), which a version's files carry whatever SITE_URL is."""
    return site_url(root)


def load_record(charts_dir: Path) -> dict:
    path = charts_dir / RECORD_FILE
    if not path.is_file():
        return {"assets": {}, "charts": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def publish(state: render.SiteState, layout: Layout, stage: Path, site_dir: Path) -> dict[tuple[str, int], dict]:
    """Write every version of every chart under site/charts/<id>/v<N>/, and the frozen embed assets;
    return the frozen assets each version's embed pages load ((id, version) → asset → frozen path).

    Called once the site's own assets are final (the frozen copies are made from them).
    """
    charts_dir = stage / "charts"
    record = load_record(charts_dir)
    canonical = canonical_url(state.root)
    current_assets = _freeze_assets(site_dir, charts_dir, record)
    archived = _draw_archived(state, layout)
    loaded = {}
    for entry in state.catalogue:
        for version in entry.get("versions") or [{"version": entry["version"]}]:
            chart = state.chart(entry["id"], version["version"])
            folder = site_dir / project.CHARTS_FOLDER
            spec = state.chart_spec(chart.id, chart.version)
            for kind in project.COMMITTED_CHART_FILES:
                data = (state.charts_dir / chart.file(kind)).read_bytes()
                if kind == "vegalite":
                    data = dumps_json(addressed(spec, canonical)).encode("utf-8")
                _write(folder / chart.file(kind), data)
            if chart.version == entry["version"]:
                drawn = stage / ASSETS_DIR / chart.id
                meta = json.loads((drawn / "meta.json").read_text(encoding="utf-8"))
            else:
                drawn, meta = archived[(chart.id, chart.version)]
            for kind in project.RENDERED_CHART_FILES:
                _write(folder / chart.file(kind), (drawn / kind).read_bytes())
            _write(folder / chart.file("zip"), chart_bundle(state, chart.id, drawn, chart.version))
            recorded = record["charts"].get(chart.id, {}).get(str(chart.version), {})
            loaded[(chart.id, chart.version)] = recorded.get("assets") or current_assets
            _write_embed_pages(state, chart, meta, spec, site_dir, canonical, loaded[(chart.id, chart.version)])
    return loaded


def _draw_archived(state: render.SiteState, layout: Layout) -> dict[tuple[str, int], tuple[Path, dict]]:
    """Draw the earlier versions of every chart from their own specs: (id, version) → (folder, meta)."""
    jobs = {}
    for entry in state.catalogue:
        for number in range(1, entry["version"]):
            spec = state.chart_spec(entry["id"], number)
            jobs[(entry["id"], number)] = (spec, plan_render(entry["id"], spec))
    if not jobs:
        return {}
    cache_dir = layout.cache / "charts"
    with RenderPool(cache_dir) as pool:
        for _, job in jobs.values():
            pool.submit(job)
    return {key: (cache_dir / job.key, site_meta(spec, job, cache_dir)) for key, (spec, job) in jobs.items()}


def _freeze_assets(site_dir: Path, charts_dir: Path, record: dict) -> dict[str, str]:
    """Publish content-addressed copies of what embed pages load, and the recorded copies kept from
    earlier builds (charts/embed-assets/); return the current ones: asset path → frozen path."""
    out = site_dir / "assets" / FROZEN_FOLDER
    out.mkdir(parents=True, exist_ok=True)
    for name in sorted(record["assets"]):
        kept = charts_dir / FROZEN_ASSETS / name.rsplit("/", 1)[-1]
        if kept.is_file():  # else the record check names it
            _write(site_dir / name, kept.read_bytes())
    frozen: dict[str, str] = {}
    for name in EMBED_ASSETS:  # the runtime before the loader that imports it
        data = (site_dir / "assets" / name).read_bytes()
        if name == "js/chart-loader.js":
            if RUNTIME_IMPORT.encode() not in data:
                raise BuildError(f"docs/assets/{name}: no {RUNTIME_IMPORT} to point at the frozen runtime")
            runtime = frozen["js/vega-runtime.js"].rsplit("/", 1)[-1]
            data = data.replace(RUNTIME_IMPORT.encode(), f'"./{runtime}"'.encode())
        stem, _, suffix = name.rsplit("/", 1)[-1].partition(".")
        file_name = f"{stem}.{hashlib.sha256(data).hexdigest()[:16]}.{suffix}"
        _write(out / file_name, data)
        frozen[name] = project.asset_url("", FROZEN_FOLDER + file_name)
    return frozen


def _write_embed_pages(state: render.SiteState, chart: project.Chart, meta: dict, spec: dict, site_dir: Path,
                       canonical: str, assets: dict[str, str]) -> None:
    for scheme in render.EMBED_SCHEMES:
        path = chart.embed_url("", scheme)
        base = project.relative_base(path)
        html = embed_page(state, chart, scheme, meta, spec, base=base, canonical=canonical,
                          asset=lambda name, base=base: base + assets[name],
                          pictures=lambda name, base=base: chart.file_url(base, name))
        _write(site_dir / path / "index.html", html.encode("utf-8"))


def record(state: render.SiteState, stage: Path, site_dir: Path, loaded: dict[tuple[str, int], dict]) -> None:
    """Check every recorded file against what this build published, then record every version.

    Called last, when the site's files are final. Files added to a recorded version (a new kind of
    image, say) are recorded; a recorded file that changed or disappeared stops the build.
    """
    charts_dir = stage / "charts"
    previous = load_record(charts_dir)
    problems = []
    for chart_id, versions in sorted(previous["charts"].items()):
        for number, recorded in sorted(versions.items(), key=lambda item: int(item[0])):
            for name, digest in sorted(recorded["files"].items()):
                problem = _compare(site_dir / name, digest)
                if problem:
                    problems.append(f"{name} (chart {chart_id}, version {number}) {problem}")
    for name, digest in sorted(previous["assets"].items()):
        problem = _compare(site_dir / name, digest)
        if problem:
            problems.append(f"{name} (loaded by embed pages of published versions) {problem}")
    if problems:
        shown = "; ".join(problems[:SHOWN_PROBLEMS]) + (f"; and {len(problems) - SHOWN_PROBLEMS} more"
                                                         if len(problems) > SHOWN_PROBLEMS else "")
        raise PublishedVersionChanged(
            f"{len(problems)} file(s) of published chart versions would change, and a published version never "
            f"changes: {shown}. Undo the change, or publish it as a new version: log it in {CORRECTIONS_FILE} "
            f"(scope chart:<id>, the next chart_version, what changed and why). Only before the first deployment "
            f"may charts/{RECORD_FILE} be deleted to record version 1 again (README, Versions)."
        )

    charts: dict[str, dict] = {}
    assets: dict[str, str] = {}
    for entry in state.catalogue:
        for version in entry.get("versions") or [{"version": entry["version"], "date": entry["date"]}]:
            chart = state.chart(entry["id"], version["version"])
            folder = site_dir / chart.folder_url("")
            files = {path.relative_to(site_dir).as_posix(): _digest(path)
                     for path in sorted(folder.rglob("*")) if path.is_file()}
            missing = sorted({chart.file_url("", kind) for kind in project.CHART_FILES} - set(files))
            if missing:
                raise BuildError(f"chart {chart.id}, version {chart.version}: not published: {', '.join(missing)}")
            used = loaded[(chart.id, chart.version)]
            charts.setdefault(chart.id, {})[str(chart.version)] = {"date": version.get("date", ""), "assets": used,
                                                                   "files": files}
            for name in used.values():
                assets[name] = _digest(site_dir / name)
    for chart_id, versions in previous["charts"].items():  # recorded versions are never dropped
        for number, recorded in versions.items():
            charts.setdefault(chart_id, {}).setdefault(number, recorded)
    assets = {**previous["assets"], **assets}
    (charts_dir / RECORD_FILE).write_text(dumps_json({"assets": assets, "charts": charts}), encoding="utf-8")
    store = charts_dir / FROZEN_ASSETS
    shutil.rmtree(store, ignore_errors=True)
    store.mkdir()
    for name in sorted(assets):
        shutil.copyfile(site_dir / name, store / name.rsplit("/", 1)[-1])


def _compare(path: Path, digest: str) -> str:
    if not path.is_file():
        return "would disappear"
    return "would change" if _digest(path) != digest else ""


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# The files of a version ---------------------------------------------------------------------


def addressed(spec: dict, site_url: str) -> dict:
    """A chart spec with its usermeta addresses made absolute (charts/ holds them site-relative)."""
    usermeta = dict(spec.get("usermeta", {}))
    for key in ("url", "page"):
        if isinstance(usermeta.get(key), str) and not re.match(r"https?://", usermeta[key]):
            usermeta[key] = site_url + usermeta[key]
    return {**spec, "usermeta": usermeta}


BUNDLE_README = """{title}

{description}

Chart {chart_id}, version {version} of {date}, from "{site}".
Permanent address of this version: {url}
The chart in context: {page}

Source: {source}
Underlying report: {report}

Licence: {licence} ({licence_url}). You may republish and adapt this chart and its data,
with credit. Keep derived figures labelled as derived, as the chart does.

Credit line (print it with the chart):
{credit}

How to cite
  Plain:   {plain}
  APA:     {apa}
  Chicago: {chicago}
  BibTeX:
{bibtex}

Files in this bundle (in the folder {chart_id}/)
{files}
"""


def chart_bundle(state: render.SiteState, chart_id: str, assets: Path, version: int | None = None) -> bytes:
    """A deterministic zip of everything a newsroom needs to republish one version of a chart (the
    current one unless ``version``), its images taken from ``assets``; its addresses are the project's
    canonical ones, whatever the deployment's."""
    canonical = canonical_url(state.root)
    chart = state.chart(chart_id, version)
    spec = addressed(state.chart_spec(chart_id, version), canonical)
    usermeta = spec["usermeta"]
    entry = {"title": usermeta.get("title", ""), "description": usermeta.get("description", "")}
    cites = render.citations(state, chart_id, version, base=canonical)
    names = [(name.format(id=chart_id), origin, about) for name, origin, about in render.BUNDLE_FILES]
    width = max(len(name) for name, _, _ in names)
    readme = BUNDLE_README.format(
        title=entry["title"], description=entry["description"], chart_id=chart_id, site=project.SITE_NAME,
        version=usermeta["version"], date=usermeta["date"], url=usermeta["url"], page=usermeta["page"],
        source=usermeta["source"], report=usermeta["citation"], licence=usermeta["licence"],
        licence_url=usermeta["licence_url"], credit=project.credit_line(usermeta["source"], state.root),
        plain=cites["plain"], apa=cites["apa"], chicago=cites["chicago"],
        bibtex="\n".join("    " + line for line in cites["bibtex"].splitlines()),
        files="\n".join(f"  {name.ljust(width)}  {about}" for name, _, about in names),
    )
    sources = {
        "spec": dumps_json(spec).encode("utf-8"),  # as published under site/charts/
        "csv": (state.charts_dir / chart.file("csv")).read_bytes(),
        "xlsx": (state.charts_dir / chart.file("xlsx")).read_bytes(),
        "readme": readme.encode("utf-8"),
    }
    day = tuple(int(part) for part in (usermeta["date"] or "1980-01-01").split("-"))
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, origin, _ in names:
            data = sources[origin] if origin in sources else (assets / origin).read_bytes()
            info = zipfile.ZipInfo(f"{chart_id}/{name}", date_time=(*day, 0, 0, 0))
            info.external_attr = 0o644 << 16
            # PNGs are compressed already: deflating them again costs time and saves nothing.
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".png") else zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


EMBED_PAGE = """<!doctype html>
<html lang="en" data-btc-scheme="{scheme}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title} — {site}</title>
<meta name="description" content="{description}">
<meta name="robots" content="noindex">
<link rel="canonical" href="{canonical}">
<link rel="icon" href="{favicon}">
<link rel="stylesheet" href="{site_css}">
<link rel="stylesheet" href="{embed_css}">
</head>
<body class="btc-embed" data-md-color-scheme="{md_scheme}">
<main>
<figure class="btc-chart" id="{anchor}" {attributes}>
{frame}
<figcaption><span class="btc-chart__title">{title}</span>{subtitle}
<a class="btc-embed__credit" href="{chart_url}" target="_blank" rel="noopener">{credit}</a></figcaption>
</figure>
</main>
<script type="module" src="{chart_loader}"></script>
<script type="module" src="{embed_js}"></script>
</body>
</html>
"""


def embed_page(state: render.SiteState, chart: project.Chart, scheme: str, meta: dict, spec: dict, *, base: str,
               canonical: str, asset, pictures) -> str:
    """One chart version alone, for an iframe: ``asset`` and ``pictures`` give the addresses of what it
    loads (the frozen scripts and styles; the version's own drawings), ``canonical`` the project's address.
    ``scheme`` "auto" follows the reader's colour scheme; "light" and "dark" fix one."""
    usermeta = spec.get("usermeta", {})
    description = escape(usermeta.get("description", ""))
    return EMBED_PAGE.format(
        title=escape(usermeta.get("title", "")),
        site=escape(project.SITE_NAME),
        description=description,
        canonical=chart.embed_url(canonical, scheme),
        favicon=asset("images/favicon.png"),
        site_css=asset("css/site.css"),
        embed_css=asset("css/embed.css"),
        chart_loader=asset("js/chart-loader.js"),
        embed_js=asset("js/embed.js"),
        scheme=scheme,
        # embed.js follows the reader's scheme on the auto page; embed.css does until it runs.
        md_scheme="slate" if scheme == "dark" else "default",
        anchor=chart.anchor,
        attributes=render.chart_data_attributes(chart, base, wide=True, pictures=pictures),
        frame=render.chart_frame(chart, base, meta, description, wide=True, pictures=pictures),
        subtitle=(f'\n<span class="btc-chart__subtitle">{escape(usermeta["subtitle"])}</span>'
                  if usermeta.get("subtitle") else ""),
        chart_url=chart.chart_page_url(canonical),
        credit=escape(render.embed_credit(state, chart.id, chart.version)),
    )

"""Benchmarks (`make bench`): build times and what each page costs a reader. Prints; never asserts.

- Build, in a fresh copy of the working tree (the repository itself is never touched), each a
  fresh `python -m scripts build` process as a maintainer runs it: cold full build (empty
  caches, as on a fresh checkout; median of three), the same with the committed charts/ not
  reusable, no-op rebuild, forced full rebuild with warm caches, and rebuild after one data edit
  (a source row's quote corrected).
- Pages, served gzipped as GitHub Pages does, in Debian's chromium at a phone viewport: bytes
  transferred and requests up to the load event (before the reader can have interacted), and
  with Lighthouse 12.2.3 (pinned in tools/bench-tools/, mobile defaults, median of 3 rounds)
  the four category scores, TBT and CLS. Every chart page is compared with a reference page
  built in the same run: the same page with its charts as plain inline SVG and no chart
  JavaScript — the floor.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from scripts.paths import ROOT, copy_working_tree
from scripts.project import PAGE_PATHS as PAGES

COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".csv", ".txt", ".map")
LIGHTHOUSE = ROOT / "tools" / "bench-tools" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
REFERENCE_PAGE = "reference.html"  # beside each chart page, so its relative URLs still resolve


def run_build(tree: Path, *args: str) -> tuple[float, str]:
    """`python -m scripts build` in a fresh process, as a maintainer runs it: wall time, output."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "scripts", "build", *args], cwd=tree, env=env,
                          capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


COLD_RUNS = 3  # this machine's speed wanders by a fifth from run to run


def bench_build() -> tuple[dict[str, float], dict[str, float]]:
    """Build times (cold: median of COLD_RUNS fresh copies), and the median cold build's time per step."""
    from scripts.charts.build import INPUTS_FILE

    with tempfile.TemporaryDirectory() as tmp:
        colds = []
        for run in range(COLD_RUNS):
            layout = copy_working_tree(Path(tmp) / f"tree-{run}", share_cache=False)
            colds.append((*run_build(layout.root, "--timings"), layout))
        cold, output, layout = sorted(colds, key=lambda result: result[0])[COLD_RUNS // 2]
        noop, _ = run_build(layout.root)
        forced, _ = run_build(layout.root, "--force")
        networks = layout.data / "source/report/networks.csv"
        text = networks.read_text(encoding="utf-8")
        networks.write_text(text.replace('"Zerkani network* 13"', '"Zerkani network*  13"', 1), encoding="utf-8")
        edited, _ = run_build(layout.root)
        # As if charts/ had not been rebuilt after the last change: every spec goes through Altair.
        unseeded = copy_working_tree(Path(tmp) / "tree-unseeded", share_cache=False)
        (unseeded.charts / INPUTS_FILE).unlink()
        cold_unseeded, _ = run_build(unseeded.root)
    times = {
        f"cold full build (empty caches; median of {COLD_RUNS})": cold,
        "  the same, charts/ not reusable": cold_unseeded,
        "no-op rebuild": noop,
        "full rebuild, warm caches": forced,
        "rebuild after one data edit": edited,
    }
    steps = {}
    for line in output.splitlines():
        name, _, seconds = line.strip().rpartition(" ")
        if line.startswith("  ") and seconds == "s":
            name, _, value = name.strip().rpartition(" ")
            steps[name.strip()] = float(value)
    return times, steps


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files gzipped on the fly when the client accepts it, like GitHub Pages."""

    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or path.suffix not in COMPRESSIBLE or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def serve(directory: Path):
    handler = functools.partial(GzipHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def write_reference(site: Path, paths=PAGES) -> dict[str, str]:
    """For each chart page, a reference beside it: its figures as inline SVG, no chart JavaScript.

    Returns page path → reference path.
    """
    from bs4 import BeautifulSoup

    references = {}
    for path in paths:
        doc = BeautifulSoup((site / path / "index.html").read_text(encoding="utf-8"), "html.parser")
        figures = doc.select("figure.btc-chart")
        if not figures:
            continue
        for figure in figures:
            svg = (site / "assets/charts" / figure["data-chart"] / "light.svg").read_text(encoding="utf-8")
            frame = figure.select_one(".btc-chart__frame")
            frame.clear()
            frame.append(BeautifulSoup(svg, "html.parser"))
        for script in doc.find_all("script", src=True):
            if "chart-loader" in script["src"]:
                script.decompose()
        (site / path / REFERENCE_PAGE).write_text(str(doc), encoding="utf-8")
        references[path] = path + REFERENCE_PAGE
    return references


# Resource Timing, read in the page: what was fetched before the load event, and in all.
WEIGHTS_JS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const sum = (entries) => entries.reduce((total, entry) => total + entry.transferSize, nav.transferSize);
  const all = performance.getEntriesByType("resource").filter((entry) => entry.name.startsWith("http"));
  const early = all.filter((entry) => entry.startTime <= nav.loadEventStart);
  return [sum(early), early.length + 1, sum(all), all.length + 1];
}"""


def page_weights(base: str, paths: list[str]) -> dict[str, tuple[int, int, int, int]]:
    """Bytes on the wire and requests up to the load event, and again once the page is idle."""
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"])
        for path in paths:
            context = browser.new_context(viewport={"width": 412, "height": 823}, is_mobile=True, has_touch=True)
            page = context.new_page()
            page.goto(base + path, wait_until="load")
            page.wait_for_timeout(4000)  # idle, with no input at all: the runtime may load now
            results[path or "/"] = tuple(page.evaluate(WEIGHTS_JS))
            context.close()
        browser.close()
    return results


LIGHTHOUSE_RUNS = 3


def lighthouse_once(url: str) -> dict[str, float]:
    out = subprocess.run(
        [str(LIGHTHOUSE), url, "--output=json", "--quiet", f"--chrome-path={CHROMIUM}",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
        capture_output=True, text=True, check=True,
    ).stdout
    report = json.loads(out)
    categories, audits = report["categories"], report["audits"]
    return {
        "perf": categories["performance"]["score"] * 100,
        "a11y": categories["accessibility"]["score"] * 100,
        "bp": categories["best-practices"]["score"] * 100,
        "seo": categories["seo"]["score"] * 100,
        "TBT ms": round(audits["total-blocking-time"]["numericValue"]),
        "CLS": audits["cumulative-layout-shift"]["numericValue"],
    }


def lighthouse(base: str, pages: list[str], references: dict[str, str], runs: int = LIGHTHOUSE_RUNS) -> dict:
    """Median scores per page over ``runs`` rounds.

    Each chart page is measured right before its reference, round after round, so that the
    machine's drifts in speed fall on both alike rather than on one of them.
    """
    order = [url for page in pages for url in (page, references.get(page)) if url is not None]
    scores: dict[str, list[dict[str, float]]] = {url: [] for url in order}
    for _ in range(runs):
        for url in order:
            scores[url].append(lighthouse_once(base + url))
    return {url: {key: statistics.median(run[key] for run in runs_) for key in runs_[0]}
            for url, runs_ in scores.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-lighthouse", action="store_true", help="skip Lighthouse (the slow part)")
    parser.add_argument("--skip-build", action="store_true", help="measure the existing site/ only")
    parser.add_argument("--page", action="append", dest="pages", metavar="PATH",
                        help="measure this page only (repeatable; its path under the site, e.g. charts/<id>/)")
    args = parser.parse_args()
    measured = args.pages or list(PAGES)

    if not args.skip_build:
        times, steps = bench_build()
        print("Build (this machine, fresh copy of the working tree):")
        for name, seconds in times.items():
            print(f"  {name:<52} {seconds:6.2f} s")
        print("  cold build by step: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in steps.items()))

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(ROOT / "site", site)
        references = write_reference(site, measured)
        server, base = serve(site)
        try:
            pages = [*measured, *references.values()]
            weights = page_weights(base, pages)
            print("\nPhone viewport, no input (KiB transferred gzip, requests): up to the load event | once idle")
            for path in pages:
                size, count, idle_size, idle_count = weights[path or "/"]
                print(f"  {path or '/':<28} {size / 1024:7.1f} KiB {count:3d} req | {idle_size / 1024:7.1f} KiB {idle_count:3d} req")
            if not args.no_lighthouse:
                print(f"\nLighthouse 12.2.3, mobile defaults, median of {LIGHTHOUSE_RUNS} (reference: same charts as "
                      "inline SVG, measured right after its page in each round):")
                results = lighthouse(base, measured, references)
                for path in measured:
                    row = results[path]
                    line = "  ".join(f"{key} {value:g}" for key, value in row.items())
                    if path in references:
                        floor = results[references[path]]["perf"]
                        line += f"  | reference perf {floor:g} (page minus reference {row['perf'] - floor:+g})"
                    print(f"  {path or '/':<18} {line}")
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

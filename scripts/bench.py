"""Benchmarks (`make bench`): build times and what each page costs a reader. Prints; never asserts.

- Build: cold full build (empty cache), no-op rebuild, rebuild after one data edit — each in a
  fresh copy of the working tree so the repository itself is never touched.
- Pages: bytes transferred (gzip, as GitHub Pages serves) and requests before the reader
  interacts, per page, against a reference page with the same charts as inline SVG and no
  chart JavaScript. With --lighthouse, Lighthouse 12.2.3 (mobile defaults, median of 3) too.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from scripts.site import PAGES
from scripts.paths import ROOT, copy_working_tree

COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".csv", ".txt", ".map")


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_build() -> dict[str, float]:
    from scripts.build import build

    with tempfile.TemporaryDirectory() as tmp:
        layout = copy_working_tree(Path(tmp) / "tree", share_cache=False)
        cold = timed(lambda: build(layout))
        noop = timed(lambda: build(layout))
        networks = layout.data / "source/report/networks.csv"
        networks.write_text(networks.read_text(encoding="utf-8").replace("Kamikaze Riders", "Kamikaze Riders (edited)"), encoding="utf-8")
        edited = timed(lambda: build(layout))
    return {"cold full build": cold, "no-op rebuild": noop, "rebuild after one data edit": edited}


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


def write_reference(site: Path) -> list[str]:
    """Reference pages: each chart page's figures as inline SVG, and no chart JavaScript at all."""
    from bs4 import BeautifulSoup

    paths = []
    for path in PAGES:
        html = (site / path / "index.html").read_text(encoding="utf-8")
        doc = BeautifulSoup(html, "html.parser")
        figures = doc.select("figure.btc-chart")
        if not figures:
            continue
        for figure in figures:
            chart_id = figure["data-chart"]
            svg = (site / "assets/charts" / chart_id / "light.svg").read_text(encoding="utf-8")
            frame = figure.select_one(".btc-chart__frame")
            frame.clear()
            frame.append(BeautifulSoup(svg, "html.parser"))
        for script in doc.find_all("script", src=True):
            if "chart-loader" in script["src"]:
                script.decompose()
        out = site / "reference" / path / "index.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        # Relative URLs must still resolve from one level deeper.
        out.write_text(str(doc).replace('href="../', 'href="../../').replace('src="../', 'src="../../'), encoding="utf-8")
        paths.append(f"reference/{path}")
    return paths


def page_weights(base: str, paths: list[str]) -> dict[str, tuple[int, int]]:
    """Bytes on the wire and request count up to the load event, before any interaction."""
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-background-networking"])
        for path in paths:
            context = browser.new_context(viewport={"width": 412, "height": 823})
            page = context.new_page()
            client = context.new_cdp_session(page)
            client.send("Network.enable")
            transferred: dict[str, int] = {}
            client.on("Network.loadingFinished", lambda event: transferred.__setitem__(event["requestId"], event["encodedDataLength"]))
            page.goto(base + path, wait_until="load")
            results[path or "/"] = (sum(transferred.values()), len(transferred))
            context.close()
        browser.close()
    return results


def lighthouse(url: str, runs: int = 3) -> dict[str, float]:
    scores = []
    for _ in range(runs):
        out = subprocess.run(
            ["npx", "--yes", "lighthouse@12.2.3", url, "--output=json", "--quiet",
             "--chrome-path=/usr/bin/chromium", "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
            capture_output=True, text=True, check=True,
        ).stdout
        report = json.loads(out)
        categories = report["categories"]
        audits = report["audits"]
        scores.append({
            "performance": categories["performance"]["score"] * 100,
            "accessibility": categories["accessibility"]["score"] * 100,
            "best-practices": categories["best-practices"]["score"] * 100,
            "seo": categories["seo"]["score"] * 100,
            "TBT ms": audits["total-blocking-time"]["numericValue"],
            "CLS": audits["cumulative-layout-shift"]["numericValue"],
        })
    return {key: statistics.median(s[key] for s in scores) for key in scores[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lighthouse", action="store_true", help="also run Lighthouse (slow; fetches it from npm)")
    parser.add_argument("--skip-build", action="store_true", help="measure the existing site/ only")
    args = parser.parse_args()

    if not args.skip_build:
        print("Build times (2-core machine, fresh copy of the working tree):")
        for name, seconds in bench_build().items():
            print(f"  {name:<30} {seconds:6.2f} s")

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(ROOT / "site", site)
        references = write_reference(site)
        server, base = serve(site)
        try:
            weights = page_weights(base, [*PAGES, *references])
            print("\nBefore interaction (gzip bytes / requests):")
            print(f"  {'page':<34} {'KiB':>7} {'req':>4}")
            for path, (size, count) in weights.items():
                print(f"  {path:<34} {size / 1024:7.1f} {count:4d}")
            if args.lighthouse:
                print("\nLighthouse 12.2.3, mobile defaults, median of 3:")
                for path in [*PAGES, *references]:
                    print(f"  {path or '/':<34} {lighthouse(base + path)}")
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

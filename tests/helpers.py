"""Helpers that more than one test module uses (plain functions; the fixtures are in conftest.py)."""

from __future__ import annotations

import fcntl
import functools
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from scripts import steps
from scripts.build import STAGING_PREFIX
from scripts.paths import ROOT, Layout, copy_working_tree

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# A copied project ------------------------------------------------------------------------------

# What a build of the data alone (no charts, no site) reads.
INPUTS = steps.inputs("ledger", "map shapes")


def copy_inputs(dest: Path) -> Layout:
    for item in INPUTS:
        src = ROOT / item
        target = dest / item
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, target)
        else:
            shutil.copy2(src, target)
    return Layout(dest)


def tree_digest(path: Path) -> dict[str, str]:
    """Relative path → sha256 for every file under path (empty if path is missing)."""
    if not path.exists():
        return {}
    return {str(f.relative_to(path)): file_digest(f) for f in sorted(path.rglob("*")) if f.is_file()}


def file_digest(path: Path) -> str:
    """A file's sha256, hashed once per version of the file: the copies clone_built links share it."""
    version = file_version(path)
    if version not in _DIGESTS:
        _DIGESTS[version] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _DIGESTS[version]


def file_version(path: Path) -> tuple[int, int, int, int]:
    """What names one version of a file's content in this run: device, inode, size, time."""
    status = path.stat()
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns


_DIGESTS: dict[tuple[int, int, int, int], str] = {}


def clone_built(source: Path, dest: Path) -> Layout:
    """A copy of a built tree for a test to change: its sources are copied, its built sites linked.

    A site is the bulk of a built tree (about 90 MB of chart images), and a build never writes a
    file of one in place: it stages a new generation and renames it in (scripts.build), and its
    recovery only renames and deletes. So the site/ folders, the published one and any a killed
    build left staged, are hard links to the source's files; symbolic links (the shared caches)
    stay symbolic. The source must stay as it was made: shared_tree checks that for the run's
    shared trees.
    """

    def link_or_copy(src: str, dst: str) -> None:
        parts = Path(src).relative_to(source).parts
        in_site = parts[0] == "site" or (parts[0].startswith(STAGING_PREFIX) and parts[1:2] == ("site",))
        (os.link if in_site else shutil.copy2)(src, dst)

    shutil.copytree(source, dest, symlinks=True, copy_function=link_or_copy)
    return Layout(dest)


def copy_project(dest: Path) -> Layout:
    """The whole working tree minus environments and outputs, sharing the render cache."""
    return copy_working_tree(dest, share_cache=True)


# A built page, parsed --------------------------------------------------------------------------

def soup(path: Path):
    """The parsed page at ``path`` (Python's html.parser), parsed once per version of the file and
    shared by every test in the process: READ-ONLY. A test that changes the parsed document
    (decompose, replace_with...) parses a copy of its own with BeautifulSoup."""
    from bs4 import BeautifulSoup

    version = file_version(path)
    if version not in _SOUPS:
        _SOUPS[version] = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return _SOUPS[version]


_SOUPS: dict[tuple[int, int, int, int], object] = {}


# A tree made once for the whole run -----------------------------------------------------------

def shared_tree(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Iterator[Layout]:
    """A tree made once per test run and shared by every pytest-xdist worker (read-only).

    For a session fixture: ``yield from shared_tree(tmp_path_factory, "name", make)``, where
    ``make(root)`` writes the tree at ``root``; the fixture yields ``Layout(root)``.

    The first worker to ask makes it in the run's temporary folder, holding a lock; the others
    wait for the lock and reuse what it made. When a worker's session ends, the tree must be
    as it was made: a test that changed it would change what other tests see.
    """
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, above each worker's own
    root, done = base / "shared" / name, base / "shared" / f"{name}.made"
    root.parent.mkdir(exist_ok=True)
    with open(base / "shared" / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)  # what a failed attempt left
            make(root)
            done.write_text(json.dumps(_state(root)), encoding="utf-8")
    yield Layout(root)
    assert _state(root) == json.loads(done.read_text(encoding="utf-8")), (
        f"a test changed the shared {name} tree: copy it (shutil.copytree(..., symlinks=True)) before changing it")


def _state(root: Path) -> dict[str, dict[str, list[int]]]:
    """Each file's size and modification time: a write changes them (reading 90 MB twice per
    worker to compare contents is what this saves)."""
    return {
        name: {str(f.relative_to(root)): list(file_version(f)[2:])
               for f in sorted((root / name).rglob("*")) if f.is_file()}
        for name in ("data", "charts", "site", "docs")
    }


# A browser and a server ------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output readable
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


# A page in the browser ----------------------------------------------------------------------

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# Before any script of the page runs: collect layout shifts and CSP violations.
OBSERVERS = """
window.__shifts = [];
window.__csp = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    const sources = (entry.sources || []).map((source) => {
      const node = source.node;
      const name = node ? (node.nodeName + (node.id ? "#" + node.id : "") + (node.className && node.className.baseVal === undefined ? "." + String(node.className).split(" ").join(".") : "")) : "?";
      const box = (r) => [r.x, r.y, r.width, r.height].map(Math.round).join(",");
      return name + " " + box(source.previousRect) + " -> " + box(source.currentRect);
    });
    window.__shifts.push({ value: entry.value, sources });
  }
}).observe({ type: "layout-shift", buffered: true });
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


class Recorder:
    """Everything a page did that a reader would not want: errors, failures, foreign requests."""

    def __init__(self, page: Page, origin: str):
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.foreign: list[str] = []
        self._page = page
        self._handlers = {
            "console": lambda m: m.type == "error" and self.errors.append(m.text),
            "pageerror": lambda e: self.errors.append(str(e)),
            "requestfailed": lambda r: self.failed.append(f"{r.url} {r.failure}"),
            "response": lambda r: r.status >= 400 and self.failed.append(f"{r.url} HTTP {r.status}"),
            "request": lambda r: urlparse(r.url).netloc != origin and not r.url.startswith(("data:", "blob:"))
            and self.foreign.append(r.url),
        }
        for event, handler in self._handlers.items():
            page.on(event, handler)

    def detach(self) -> None:
        """Stop recording (the tab goes on to another visit)."""
        for event, handler in self._handlers.items():
            self._page.remove_listener(event, handler)


def new_tab(browser: Browser, **context_options) -> Page:
    """A tab in a context of its own, that collects layout shifts and policy violations."""
    page = browser.new_context(**context_options).new_page()
    page.add_init_script(OBSERVERS)
    return page


def open_page(browser: Browser, url: str, **context_options) -> tuple[Page, Recorder]:
    page = new_tab(browser, **context_options)
    recorder = Recorder(page, urlparse(url).netloc)
    page.goto(url, wait_until="load")
    return page, recorder


def first_visit(page: Page, url: str, viewport: dict[str, int]) -> Recorder:
    """Load ``url`` in ``page`` as a reader's first visit would: the site's storage, the tab's
    session storage and the browser's HTTP cache emptied, the pointer at the corner, the window
    at ``viewport``. The same tab costs about half a CPU-second less than a new one (no new
    renderer process) and loads what a new one loads: the same resources, from the network."""
    page.evaluate("() => { try { sessionStorage.clear(); } catch (error) {} }")  # about:blank has none
    session = page.context.new_cdp_session(page)
    try:
        origin = f"{urlparse(url).scheme}://{urlparse(url).netloc}"
        session.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
        session.send("Network.clearBrowserCache")
    finally:
        session.detach()
    page.mouse.move(0, 0)
    page.set_viewport_size(viewport)
    if page.url.split("#")[0] == url.split("#")[0]:
        page.goto("about:blank")  # a new document, not a jump within the one shown
    recorder = Recorder(page, urlparse(url).netloc)
    page.goto(url, wait_until="load")
    return recorder


def wait_for_interactive(page: Page, expected: int) -> None:
    """Reach for the first chart (without scrolling), then wait until every chart is live."""
    if expected:
        page.locator("figure.btc-chart").first.dispatch_event("pointerenter")
        page.wait_for_function(
            "n => document.querySelectorAll('figure.btc-chart.btc-chart--interactive').length === n",
            arg=expected, timeout=20_000,
        )


# The Nu Html Checker ---------------------------------------------------------------------------

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Errors we accept: (exact message, a piece of the offending markup, why). Keep this short.
ALLOWED = [
    (
        # Material's drawer and search toggles are checkboxes with autocomplete="off", which
        # HTML allows only on text-like inputs. Material needs it so Firefox does not restore
        # an open drawer or search box on reload, and the two inputs are written in Material's
        # base.html outside any block a theme override can replace.
        "Attribute “autocomplete” is only allowed when the input type is “color”, “date”, "
        "“datetime-local”, “email”, “hidden”, “month”, “number”, “password”, “range”, “search”, "
        "“tel”, “text”, “time”, “url”, or “week”.",
        '<input class="md-toggle" data-md-toggle=',
    ),
]


def run_vnu(files: list[Path]) -> list[dict]:
    java = shutil.which("java")
    assert java, "Java 17+ is required for the Nu Html Checker: apt-get install -y default-jre-headless"
    assert VNU.is_file(), f"{VNU} is missing: run `npm ci`"
    # One JVM for every page: starting it is the slow part. A run of seconds is over before the
    # optimising compiler pays for itself, so only the quick one runs (the same report for less
    # than half the CPU); its frames are larger, hence the stack (the checker needs 512k at least).
    result = subprocess.run(
        [java, "-Xss4m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(VNU), "--errors-only",
         "--format", "json", "--stdout", "--exit-zero-always", *map(str, files)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["messages"]


def allowed(message: dict) -> bool:
    return any(
        message.get("message") == text and fragment in message.get("extract", "")
        for text, fragment, *_ in ALLOWED
    )

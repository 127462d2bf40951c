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

from scripts import steps
from scripts.paths import ROOT, Layout, copy_working_tree

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
    return {
        str(f.relative_to(path)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(path.rglob("*"))
        if f.is_file()
    }


def copy_project(dest: Path) -> Layout:
    """The whole working tree minus environments and outputs, sharing the render cache."""
    return copy_working_tree(dest, share_cache=True)


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


def _state(root: Path) -> dict[str, dict[str, str]]:
    return {name: tree_digest(root / name) for name in ("data", "charts", "site", "docs")}


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
    # One JVM for every page: starting it is the slow part.
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout", "--exit-zero-always",
         *map(str, files)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["messages"]


def allowed(message: dict) -> bool:
    return any(
        message.get("message") == text and fragment in message.get("extract", "")
        for text, fragment, *_ in ALLOWED
    )

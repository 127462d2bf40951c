"""Shared fixtures: an isolated copy of the project's inputs that a test may corrupt, and the
builds that many tests read (made once per test run, whatever the number of workers)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from xdist.scheduler import LoadScopeScheduling

from helpers import CHROMIUM, CHROMIUM_ARGS, copy_inputs, copy_project, shared_tree

from scripts.paths import ROOT, Layout

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture
def project(tmp_path) -> Layout:
    """A fresh copy of data/ (sources, schemas, descriptor) to build or corrupt."""
    return copy_inputs(tmp_path)


@pytest.fixture(scope="session")
def built_ledger(tmp_path_factory) -> Iterator[Layout]:
    """One ledger build from the committed sources, into a temporary tree. Read-only: copy it to change it."""
    from scripts.build import build

    def make(root: Path) -> None:
        build(copy_inputs(root), charts=False, site=False)

    yield from shared_tree(tmp_path_factory, "ledger", make)


# Whether the shared cache held nothing when the run began (as on a fresh clone): then every entry
# in it was made in this run, by this code, and the session's build drew from nothing.
CACHE_WAS_EMPTY = "cache_was_empty"
_cache_was_empty = pytest.StashKey[bool]()


def pytest_configure(config) -> None:
    if not hasattr(config, "workerinput"):  # the controller (or a run without workers): before any test
        config.stash[_cache_was_empty] = not any(path.is_file() for path in (ROOT / ".cache").rglob("*"))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    node.workerinput[CACHE_WAS_EMPTY] = node.config.stash[_cache_was_empty]


@pytest.fixture(scope="session")
def cache_was_empty(request) -> bool:
    config = request.config
    return config.workerinput[CACHE_WAS_EMPTY] if hasattr(config, "workerinput") else config.stash[_cache_was_empty]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Iterator[Layout]:
    """A full build (ledger, charts, site) of a copy of the working tree. Read-only: copy it to change it."""
    from scripts.build import build

    def make(root: Path) -> None:
        build(copy_project(root))

    yield from shared_tree(tmp_path_factory, "site", make)


@pytest.fixture(scope="session")
def site(built_site) -> Path:
    """The session's built site/ folder (read-only)."""
    return built_site.site


@pytest.fixture(scope="session")
def catalogue(built_site) -> list[dict]:
    """The session's charts/index.json: one entry per chart (read-only)."""
    return json.loads((built_site.charts / "index.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium through Playwright, one per test worker (a launch costs about two
    CPU-seconds). Each test or module opens contexts of its own and closes them."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is required: apt-get install -y chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Bad inputs tried, and what became of them ------------------------------------------------------
#
# Tests that feed the build bad or hostile input call the bad_input fixture with an id and an
# outcome ("rejected": stopped with a message naming the place; "escaped": built, and shown as
# plain text everywhere). The outcome travels on the test's report (user_properties survive
# pytest-xdist), and is counted only if the test passed. The terminal summary prints the totals.

OUTCOMES = {"rejected": "rejected with a message", "escaped": "rendered escaped"}
_tried: dict[str, str] = {}


@pytest.fixture
def bad_input(record_property) -> Callable[[str, str], None]:
    def record(input_id: str, outcome: str) -> None:
        assert outcome in OUTCOMES, outcome
        record_property("bad_input", json.dumps({"id": input_id, "outcome": outcome}))

    return record


def pytest_runtest_logreport(report) -> None:
    if report.when != "call" or not report.passed:
        return
    for name, value in report.user_properties:
        if name == "bad_input":
            entry = json.loads(value)
            _tried[entry["id"]] = entry["outcome"]


def pytest_terminal_summary(terminalreporter) -> None:
    if not _tried:
        return
    counts = {outcome: sum(1 for o in _tried.values() if o == outcome) for outcome in OUTCOMES}
    terminalreporter.write_sep("-", "bad inputs")
    terminalreporter.write_line(
        f"hostile inputs tried: {len(_tried)} ("
        + ", ".join(f"{label}: {counts[outcome]}" for outcome, label in OUTCOMES.items())
        + ")"
    )


# Sharing the work between the workers -----------------------------------------------------------
#
# Whole modules go to one worker (as with --dist loadfile), so a module's fixtures are made
# once; the slowest are cut into parts (every n-th test) that run side by side, their fixtures
# being cheap or made once per run (helpers.shared_tree). The browser tests spend about half their
# time waiting (for the network to fall idle, for timers and animations), so the run has one
# worker more than the machine has cores (pytest.ini): the last worker takes the browser's parts,
# and the others the builds and the rest, which keep the cores busy while it waits. The slowest
# go first, so that the run does not end with one worker busy on a long module while the others
# idle. Each worker takes two units at the start, then one each time it has one left. Other
# modules follow in file order. A guide, not a list to keep complete.
SLOWEST_FIRST = (
    # First one unit that needs no build: the first build (on a fresh clone drawn from nothing,
    # on both cores) ends on one core (MkDocs), and this fills the other while the units that
    # need the build wait for it.
    "test_properties.py",
    # Then the units that need the session's build, the browser tests' first.
    "test_browser.py, part 1",
    "test_interrupted_build.py, part 1",
    "test_browser.py, part 2",
    "test_interrupted_build.py, part 2",
    "test_browser.py, part 3",
    "test_reproducible.py",
    "test_hostile.py",
    "test_inputs.py, part 1",
    "test_charts.py",
    "test_inputs.py, part 2",
    "test_versions.py",
    "test_chart_infra.py",
    "test_deploy.py",
    "test_site.py",
    "test_reuse_specs.py",
    # Then the rest, longest first, so that the run ends on short modules on every worker.
    "test_ledger.py",
    "test_validation.py",
    "test_chart_pages.py",
    "test_html.py",
    "test_images.py",
    "test_editorial.py",
    "test_chart_editorial.py",
    "test_credit.py",
)
PARTS = {}  # module: into how many parts it is cut
for unit in SLOWEST_FIRST:
    module, _, part = unit.partition(", part ")
    PARTS[module] = max(PARTS.get(module, 1), int(part or 1))


class ModulePartScheduling(LoadScopeScheduling):
    """pytest-xdist's scope scheduling, a scope being a module or a part of one, handed out in
    the order of SLOWEST_FIRST, the browser's parts to the last worker when there are three or more.

    (Not --dist loadgroup: pytest-xdist 3.8 marks groups through a node id attribute that
    pytest 9 no longer reads.)
    """

    def _split_scope(self, nodeid: str) -> str:
        if not hasattr(self, "_scopes"):  # from the whole collection, in file order
            self._scopes: dict[str, str] = {}
            seen: dict[str, int] = {}
            for test in self.collection:
                module = test.split("::", 1)[0]
                parts = PARTS.get(module.rsplit("/", 1)[-1], 1)
                position = seen[module] = seen.get(module, -1) + 1
                self._scopes[test] = f"{module}, part {position % parts + 1}" if parts > 1 else module
        return self._scopes[nodeid]

    def _assign_work_unit(self, node) -> None:
        if not getattr(self, "_ordered", False):  # the first hand-out: put the queue in order
            rank = {unit: position for position, unit in enumerate(SLOWEST_FIRST)}
            units = sorted(self.workqueue.items(), key=lambda item: rank.get(item[0].rsplit("/", 1)[-1], len(rank)))
            self.workqueue.clear()
            self.workqueue.update(units)  # sorted() is stable: file order for the rest
            self._ordered = True
        if len(self.nodes) > 2:
            waits = node is self.nodes[-1]  # the worker for the tests that wait
            wanted = next((scope for scope in self.workqueue if ("test_browser.py" in scope) == waits), None)
            if wanted is not None:
                self.workqueue.move_to_end(wanted, last=False)
        super()._assign_work_unit(node)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    return ModulePartScheduling(config, log) if config.getvalue("dist") == "loadfile" else None

"""Shared fixtures: an isolated copy of the project's inputs that a test may corrupt, and the
builds that many tests read (made once per test run, whatever the number of workers)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from xdist.scheduler import LoadScopeScheduling

from helpers import copy_inputs, copy_project, shared_tree

from scripts.paths import Layout


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


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Iterator[Layout]:
    """A full build (ledger, charts, site) of a copy of the working tree. Read-only: copy it to change it."""
    from scripts.build import build

    def make(root: Path) -> None:
        build(copy_project(root))

    yield from shared_tree(tmp_path_factory, "site", make)


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
# once. The slowest modules are collected first, so that the run does not end with one worker
# busy on a long module while the other idles (pytest.ini: --no-loadscope-reorder keeps that
# order), and the slowest are cut into parts (every n-th test) that run side by side, their
# fixtures being cheap or made once per run (helpers.shared_tree). Other modules follow in file
# order. A guide, not a list to keep complete: a module missing here runs all the same.
SLOWEST_FIRST = {  # module: parts
    "test_browser.py": 3,
    "test_inputs.py": 2,
    "test_interrupted_build.py": 2,
    "test_versions.py": 1,
    "test_reuse_specs.py": 1,
    "test_hostile.py": 1,
    "test_charts.py": 1,
    "test_site.py": 1,
    "test_deploy.py": 1,
    "test_reproducible.py": 1,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: position for position, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: file order otherwise


class ModulePartScheduling(LoadScopeScheduling):
    """pytest-xdist's scope scheduling, a scope being a module or a part of one (SLOWEST_FIRST).

    (Not --dist loadgroup: pytest-xdist 3.8 marks groups through a node id attribute that
    pytest 9 no longer reads.)
    """

    def _split_scope(self, nodeid: str) -> str:
        if not hasattr(self, "_scopes"):  # from the whole collection, in its order
            self._scopes: dict[str, str] = {}
            seen: dict[str, int] = {}
            for test in self.collection:
                module = test.split("::", 1)[0]
                parts = SLOWEST_FIRST.get(module.rsplit("/", 1)[-1], 1)
                position = seen[module] = seen.get(module, -1) + 1
                self._scopes[test] = f"{module}, part {position % parts + 1}" if parts > 1 else module
        return self._scopes[nodeid]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    return ModulePartScheduling(config, log) if config.getvalue("dist") == "loadfile" else None

"""Shared fixtures: an isolated copy of the project's inputs that a test may corrupt."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from scripts.paths import ROOT, Layout

INPUTS = ("data/datapackage.json", "data/source", "data/schemas")


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


@pytest.fixture
def project(tmp_path) -> Layout:
    """A fresh copy of data/ (sources, schemas, descriptor) to build or corrupt."""
    return copy_inputs(tmp_path)


@pytest.fixture(scope="session")
def built_ledger(tmp_path_factory) -> Layout:
    """One ledger build from the committed sources, into a temporary tree."""
    from scripts.build import build

    layout = copy_inputs(tmp_path_factory.mktemp("ledger"))
    build(layout, charts=False, site=False)
    return layout


SKIP_IN_COPY = {".git", ".venv", "node_modules", "site", ".cache", ".pytest_cache", "__pycache__"}


def copy_project(dest: Path) -> Layout:
    """The whole working tree minus environments and outputs; shares node_modules and the cache."""
    def ignore(directory: str, names: list[str]) -> list[str]:
        if Path(directory) == ROOT:  # outputs and environments live at the top level only
            return [n for n in names if n in SKIP_IN_COPY or n.startswith((".build-staging-", "screenshots"))]
        return [n for n in names if n == "__pycache__"]

    shutil.copytree(ROOT, dest, ignore=ignore, dirs_exist_ok=True)
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    (ROOT / ".cache").mkdir(exist_ok=True)
    (dest / ".cache").symlink_to(ROOT / ".cache")  # content-addressed, so safe to share
    return Layout(dest)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Layout:
    """A full build (ledger, charts, site) of a copy of the working tree."""
    from scripts.build import build

    layout = copy_project(tmp_path_factory.mktemp("project") / "tree")
    build(layout)
    return layout

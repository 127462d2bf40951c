"""Shared fixtures: an isolated copy of the project's inputs that a test may corrupt."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from scripts.paths import ROOT, Layout, copy_working_tree

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


def copy_project(dest: Path) -> Layout:
    """The whole working tree minus environments and outputs, sharing the render cache."""
    return copy_working_tree(dest, share_cache=True)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Layout:
    """A full build (ledger, charts, site) of a copy of the working tree."""
    from scripts.build import build

    layout = copy_project(tmp_path_factory.mktemp("project") / "tree")
    build(layout)
    return layout

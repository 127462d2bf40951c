"""Atomic output: a build killed part-way leaves the previous site, charts and ledger as they were."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

from conftest import tree_digest

from scripts.build import ASIDE_SUFFIX, STAGING_PREFIX, build, recover
from scripts.paths import Layout

OUTPUTS = ("site", "charts", "data/derived")
MARKER = "This sentence exists only in the build that was killed."


def digests(layout: Layout) -> dict[str, dict[str, str]]:
    return {name: tree_digest(layout.root / name) for name in OUTPUTS}


def test_a_killed_build_leaves_the_previous_outputs_intact_and_the_next_one_recovers(built_site, tmp_path):
    # A tree with a complete previous build in place (the caches stay shared through the link).
    layout = Layout(tmp_path / "tree")
    shutil.copytree(built_site.root, layout.root, symlinks=True)
    before = digests(layout)
    assert all(before.values())
    # A change the build would publish, so that a build which got to the end cannot pass unseen.
    methods = layout.docs / "methods.md"
    methods.write_text(methods.read_text(encoding="utf-8") + f"\n{MARKER}\n", encoding="utf-8")

    # Its own session, so the kill reaches the notebook kernel it may have started too.
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts", "build"], cwd=layout.root, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        # Kill once the ledger and the charts are staged: well inside the build, seconds
        # before anything could be published.
        deadline = time.monotonic() + 600
        while process.poll() is None and time.monotonic() < deadline:
            if any((stage / "charts").is_dir() and (stage / "derived" / "findings.csv").is_file()
                   for stage in layout.root.glob(STAGING_PREFIX + "*")):
                break
            time.sleep(0.02)
        assert process.poll() is None, "the build ended before it could be killed: " + process.stderr.read().decode()[-2000:]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == -signal.SIGKILL  # killed, not finished

    stale = list(layout.root.glob(STAGING_PREFIX + "*"))
    assert stale and any((stage / "derived" / "findings.csv").is_file() for stage in stale)  # killed mid-way
    assert digests(layout) == before
    assert MARKER not in (layout.site / "methods" / "index.html").read_text(encoding="utf-8")

    # The next build clears the leftovers and publishes.
    build(layout)
    assert not list(layout.root.glob(STAGING_PREFIX + "*"))
    assert not list(layout.root.rglob("*" + ASIDE_SUFFIX))
    assert MARKER in (layout.site / "methods" / "index.html").read_text(encoding="utf-8")
    after = digests(layout)
    assert after["charts"] == before["charts"] and after["data/derived"] == before["data/derived"]


def test_recover_finishes_a_swap_cut_between_its_two_renames(tmp_path):
    layout = Layout(tmp_path)
    # Killed after the old site was moved aside, before the new one was moved in.
    old = layout.site.with_name("site" + ASIDE_SUFFIX)
    old.mkdir(parents=True)
    (old / "index.html").write_text("previous", encoding="utf-8")
    # Killed after both renames, before the old copy was deleted.
    layout.charts.mkdir()
    (layout.charts / "index.json").write_text("new", encoding="utf-8")
    (layout.charts.with_name("charts" + ASIDE_SUFFIX)).mkdir()
    stage = layout.root / (STAGING_PREFIX + "x")
    (stage / "site").mkdir(parents=True)

    recover(layout)
    assert (layout.site / "index.html").read_text(encoding="utf-8") == "previous"
    assert (layout.charts / "index.json").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["charts", "site"]

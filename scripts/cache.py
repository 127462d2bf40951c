"""The build's caches: content-addressed entries that appear whole or not at all.

An entry (a file or a folder) is named by a key that covers everything it is made from,
including the code that makes it (``code_digest``), so no cache keeps a format number to bump
by hand. It is produced under a unique temporary name beside its place and renamed into place
in one step: a killed build leaves at most a hidden temporary folder, and two builds that make
the same entry at once both end up reading one complete copy.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

PACKAGE = "scripts"  # the build's code: the only modules whose code a key follows

# CPython 3.11 keeps the AST converter's recursion counter per interpreter, not per thread: two
# threads parsing at once (the notebook's key is computed in its own thread while the chart step
# hashes its code) can make one of them raise "SystemError: AST constructor recursion depth
# mismatch" (cpython gh-106905). Parse one module at a time (unparsing is plain Python).
_AST_LOCK = threading.Lock()


def key(*parts: object) -> str:
    """A hex SHA-256 naming the parts (strings, numbers, lists, dicts) in this order."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry(folder: Path, name: str, produce: Callable[[Path], None], *, directory: bool = False) -> Path:
    """``folder/name``, calling ``produce(path)`` first to make it if it is not there yet.

    ``produce`` writes a file (or, with ``directory``, fills a folder that exists) at the path it
    is given: a fresh temporary one with the entry's own name, so tools that look at a file's
    suffix see the right one. If ``produce`` raises, nothing is left behind.
    """
    final = folder / name
    if final.exists():
        return final
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=folder))
    try:
        made = work / name
        if directory:
            made.mkdir()
        produce(made)
        try:
            os.replace(made, final)
        except OSError:  # a folder cannot replace a complete one another build made meanwhile
            if not final.exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return final


# ---------------------------------------------------------------------------
# What code an entry is made by


def code_digest(root: Path, modules: Iterable[str]) -> str:
    """A digest of the code of ``modules`` and of every build module they import, under ``root``.

    Comments, docstrings and layout do not count (see ``source_form``): only an edit that can
    change what the code does changes the digest.
    """
    digest = hashlib.sha256()
    for relative in module_files(root, modules):
        digest.update(relative.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(source_form(root / relative).encode("utf-8")).digest())
    return digest.hexdigest()


def module_files(root: Path, modules: Iterable[str]) -> list[str]:
    """The files (relative to ``root``) of ``modules`` and of the build modules they import.

    Read from the import statements, wherever they are in a module (an import inside a
    function counts). A module that imports by name at run time (``importlib.import_module``,
    as the registries do to find their section modules) is taken to use every module of its
    package, subpackages included.
    """
    seen: dict[str, Path] = {}
    pending = list(modules)
    while pending:
        name = pending.pop()
        path = _module_path(root, name)
        if name in seen or path is None:
            continue
        seen[name] = path
        imports, by_name, _ = _read(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for base, level, names in imports:
            if level:  # relative: from the module's package, up level - 1
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - (level - 1)], *([base] if base else [])])
            if names is None:
                pending.append(base)
            for alias in names or ():
                # `from package import name` names a submodule, or something its __init__ defines.
                submodule = f"{base}.{alias}"
                pending.append(submodule if _module_path(root, submodule) is not None else base)
        if by_name:
            pending.extend(_module_name(root, file) for file in path.parent.rglob("*.py"))
    return sorted(path.relative_to(root).as_posix() for path in seen.values())


def source_form(path: Path) -> str:
    """A module's code as Python prints it back, without its docstrings or comments."""
    return _read(path)[2]


def _read(path: Path) -> tuple[list[tuple[str, int, tuple[str, ...] | None]], bool, str]:
    try:
        return _analyse(path.read_text(encoding="utf-8"))
    except SyntaxError as err:
        raise SyntaxError(err.msg, (str(path), err.lineno, err.offset, err.text)) from None


@cache  # by text alone: a copy of the tree elsewhere (as tests make) is not parsed again
def _analyse(text: str) -> tuple[list[tuple[str, int, tuple[str, ...] | None]], bool, str]:
    """(imports as (module, level, names or None), whether it imports by name, source form)."""
    with _AST_LOCK:
        tree = ast.parse(text)
    imports: list[tuple[str, int, tuple[str, ...] | None]] = []
    by_name = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imports.extend((alias.name, 0, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imports.append((node.module or "", node.level, tuple(alias.name for alias in node.names)))
        elif isinstance(node, ast.Call):
            function = node.func
            by_name |= (function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")) \
                == "import_module"
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                # Nothing in the build reads a docstring (__doc__): it only explains.
                node.body = body[1:] or [ast.Pass()]
    return imports, by_name, ast.unparse(tree)


def _module_path(root: Path, name: str) -> Path | None:
    if name != PACKAGE and not name.startswith(PACKAGE + "."):
        return None
    base = root.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

"""The build's caches: entries appear whole or not at all, keyed on what makes them."""

from __future__ import annotations

import gc
import shutil
import threading
from pathlib import Path

import pytest

from scripts import cache
from scripts.errors import BuildError
from scripts.paths import ROOT, Layout


def test_an_entry_is_made_once_then_reused(tmp_path):
    calls = []

    def produce(path: Path) -> None:
        calls.append(path)
        path.write_text("made", encoding="utf-8")

    first = cache.entry(tmp_path / "c", "one.txt", produce)
    assert first == tmp_path / "c" / "one.txt" and first.read_text(encoding="utf-8") == "made"
    assert cache.entry(tmp_path / "c", "one.txt", produce) == first
    assert len(calls) == 1
    assert calls[0].name == "one.txt" and calls[0] != first  # made under a temporary folder
    assert sorted(path.name for path in (tmp_path / "c").iterdir()) == ["one.txt"]  # nothing left beside it


def test_a_failed_entry_leaves_nothing_and_is_made_next_time(tmp_path):
    def fail(path: Path) -> None:
        (path / "half").write_text("half", encoding="utf-8")
        raise OSError("killed half-way")

    with pytest.raises(OSError, match="half-way"):
        cache.entry(tmp_path, "entry", fail, directory=True)
    assert list(tmp_path.iterdir()) == []

    made = cache.entry(tmp_path, "entry", lambda path: (path / "whole").write_text("x", encoding="utf-8"),
                       directory=True)
    assert sorted(path.name for path in made.iterdir()) == ["whole"]


def test_a_folder_made_meanwhile_by_another_build_wins_whole(tmp_path):
    def theirs(path: Path) -> None:
        for name in ("a", "b"):
            (path / name).write_text("theirs", encoding="utf-8")

    def ours(path: Path) -> None:
        (path / "a").write_text("ours", encoding="utf-8")
        cache.entry(tmp_path, "entry", theirs, directory=True)  # the other build finishes first
        (path / "b").write_text("ours", encoding="utf-8")

    made = cache.entry(tmp_path, "entry", ours, directory=True)
    assert {path.name: path.read_text(encoding="utf-8") for path in made.iterdir()} == {"a": "theirs", "b": "theirs"}
    assert [path.name for path in tmp_path.iterdir()] == ["entry"]


def test_keys_name_their_parts_in_order():
    assert cache.key("a", 1) == cache.key("a", 1)
    assert len({cache.key("a", 1), cache.key(1, "a"), cache.key("a", "1"), cache.key(["a", 1])}) == 4


def write_package(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_code_digest_follows_imports_and_ignores_comments_and_docstrings(tmp_path):
    write_package(tmp_path, {
        "scripts/__init__.py": "",
        "scripts/top.py": '"""Top."""\nfrom scripts import helper\n\n\ndef run():\n    return helper.VALUE\n',
        "scripts/helper.py": "VALUE = 1\n",
        "scripts/unused.py": "OTHER = 1\n",
    })
    assert cache.module_files(tmp_path, ["scripts.top"]) == ["scripts/helper.py", "scripts/top.py"]
    before = cache.code_digest(tmp_path, ["scripts.top"])

    def digest_after(name: str, text: str) -> str:
        original = (tmp_path / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text, encoding="utf-8")
        try:
            return cache.code_digest(tmp_path, ["scripts.top"])
        finally:
            (tmp_path / name).write_text(original, encoding="utf-8")

    same = {
        "a comment": ("scripts/top.py", '"""Top."""\n# why\nfrom scripts import helper  # note\n\n\ndef run():\n'
                                        '    return helper.VALUE\n'),
        "a docstring": ("scripts/top.py", '"""Other words."""\nfrom scripts import helper\n\n\ndef run():\n'
                                          '    """Returns it."""\n    return helper.VALUE\n'),
        "a module nothing imports": ("scripts/unused.py", "OTHER = 2\n"),
    }
    for what, (name, text) in same.items():
        assert digest_after(name, text) == before, what
    changed = {
        "an expression": ("scripts/top.py", '"""Top."""\nfrom scripts import helper\n\n\ndef run():\n'
                                            '    return helper.VALUE + 1\n'),
        "an imported module": ("scripts/helper.py", "VALUE = 2\n"),
    }
    for what, (name, text) in changed.items():
        assert digest_after(name, text) != before, what


def test_code_can_be_hashed_in_two_threads_at_once(tmp_path):
    # The build computes the notebook's key in the notebook's thread while the chart step hashes
    # its own code. Here a second thread parses a module in the middle of the first thread's
    # parse: paused by a garbage collection, which building the first module's syntax tree sets
    # off. Unguarded, CPython 3.11 then fails the first parse with "AST constructor recursion
    # depth mismatch"; guarded, the second parse waits its turn.
    big, small = tmp_path / "big.py", tmp_path / "small.py"
    big.write_text("".join(f"def f{i}(x):\n    return [x, {i}]\n" for i in range(400)), encoding="utf-8")
    small.write_text("import os\n\n\ndef g():\n    return os.sep\n", encoding="utf-8")
    main, results, paused = threading.current_thread(), {}, []

    def parse(path: Path) -> None:
        try:
            results[path.name] = cache.source_form(path)
        except BaseException as err:  # reported below, whatever it is
            results[path.name] = err

    def pause_main_mid_parse(phase: str, info: dict) -> None:
        if phase == "start" and threading.current_thread() is main and not paused:
            other = threading.Thread(target=parse, args=(small,))
            paused.append(other)
            other.start()
            other.join(timeout=0.5)  # a guarded parse cannot start until the main thread's ends

    gc.collect()  # so the next collection comes from the parse's own allocations
    gc.callbacks.append(pause_main_mid_parse)
    try:
        parse(big)
    finally:
        gc.callbacks.remove(pause_main_mid_parse)
    for other in paused:
        other.join(timeout=10)

    assert paused, "no garbage collection ran during the parse: the test did not interleave the two"
    assert not [value for value in results.values() if isinstance(value, BaseException)], results
    assert "def f399(x):" in results["big.py"] and "def g():" in results["small.py"]


def test_a_module_that_imports_by_name_covers_its_package(tmp_path):
    write_package(tmp_path, {
        "scripts/__init__.py": "",
        "scripts/sections/__init__.py": "import importlib\n\n\ndef load(name):\n"
                                        "    return importlib.import_module(f'scripts.sections.{name}')\n",
        "scripts/sections/first.py": "A = 1\n",
        "scripts/sections/deeper/second.py": "B = 1\n",
        "scripts/elsewhere.py": "C = 1\n",
    })
    assert cache.module_files(tmp_path, ["scripts.sections"]) == [
        "scripts/sections/__init__.py", "scripts/sections/deeper/second.py", "scripts/sections/first.py"]


def test_a_missing_esbuild_is_a_build_error_naming_the_fix(tmp_path):
    from scripts.site import publish

    shutil.copy2(ROOT / "package-lock.json", tmp_path / "package-lock.json")
    with pytest.raises(BuildError, match=r"esbuild is missing: run `npm ci`"):
        publish._bundle_runtime(Layout(tmp_path), tmp_path / "out" / "vega-runtime.js")
    assert not (tmp_path / "out").exists()
    assert [path.name for path in (tmp_path / ".cache" / "runtime").iterdir()] == []


def test_every_declared_step_input_and_module_exists():
    from scripts import steps

    for step in steps.STEPS:
        for name in step.inputs:
            assert (ROOT / name).exists(), f"step {step.name!r} reads {name}, which is not there"
        for module in step.code:
            assert cache.module_files(ROOT, [module]), f"step {step.name!r} runs {module}, which is not there"
        assert set(step.after) <= set(steps.BY_NAME), step.name

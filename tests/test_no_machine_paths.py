"""No absolute path of the machine that built or edited the project leaks into what it publishes.

Data, pages, charts and the README are read by the public; a path such as /work/…, /home/…
or C:\\Users\\… says nothing to a reader and tells them about our machines. Every tracked file
under data/, docs/ and charts/, README.md, and the built site/ when there is one, is scanned;
a failure names each file and line.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from scripts.paths import ROOT, SITE

SCANNED = ("data", "docs", "charts", "README.md")
# An absolute POSIX path under a machine's top-level folders, or a Windows drive path. The
# look-behind keeps URL paths (https://example.org/home/…) and relative paths (a/tmp/b) out.
MACHINE_PATH = re.compile(
    r"(?<![\w.~:/\\-])/(?:work|tmp|home|root|Users)/"
    r"|(?<![\w])[A-Za-z]:\\{1,2}(?=[\w.$ -])"
)


def tracked_files(root: Path = ROOT) -> list[Path]:
    """Files git tracks under the scanned paths (every file there when git cannot say)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--", *SCANNED], cwd=root, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        files = []
        for name in SCANNED:
            path = root / name
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
        return [p for p in files if p.exists()]
    return [root / name for name in listed.decode().split("\0") if name and (root / name).is_file()]


def site_files(site: Path = SITE) -> list[Path]:
    return sorted(p for p in site.rglob("*") if p.is_file()) if site.is_dir() else []


def machine_paths(path: Path, root: Path = ROOT) -> list[str]:
    """'file:line: text' for every line of a text file that holds a machine path."""
    raw = path.read_bytes()
    if b"\0" in raw[:8192]:  # images, archives: not text
        return []
    text = raw.decode("utf-8", errors="replace")
    where = path.relative_to(root) if path.is_relative_to(root) else path
    return [
        f"{where}:{number}: {found.group()!r} in {line.strip()[:160]!r}"
        for number, line in enumerate(text.splitlines(), start=1)
        for found in [MACHINE_PATH.search(line)]
        if found
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Its text as available here (/work/shared/sources) is incomplete", True),
        ("cached at /tmp/build-1234/x.csv", True),
        ('"path": "/home/ana/project/data"', True),
        ("see /root/.cache and /Users/ana/Desktop", True),
        (r"C:\Users\ana\report.txt", True),
        (r'"C:\\Users\\ana"', True),
        ("https://example.org/home/index.html and https://host/tmp/x", False),
        ("data/source/public/attacks.csv, scripts/geo.py, a/tmp/b", False),
        ("ratio 3:1, time 09:11, http://bx1.be/schaerbeek/", False),
    ],
)
def test_the_pattern_finds_machine_paths_and_nothing_else(text, found):
    assert bool(MACHINE_PATH.search(text)) is found


def test_no_machine_path_in_published_files():
    files = tracked_files()
    assert any(p.name == "sources.csv" for p in files), "scan found none of the data files"
    problems = [problem for path in [*files, *site_files()] for problem in machine_paths(path)]
    assert not problems, "absolute machine paths found (write them relative or in words):\n" + "\n".join(problems)

"""Reproducible builds: two clean builds in different places give the same bytes.

One build is the session's (in this process, render caches shared); the other runs from a
second copy of the tree in a fresh process whose time zone, locale and hash seed all differ, and
builds the chart specs anew (its copy of charts/ is not reused). One of the two starts with no
cache: the other build, with caches of its own, unless the run began with an empty cache (a fresh
clone). Then the session's build drew everything from nothing, and the other takes those drawings
from the cache: its pages, specs and data are made afresh, its drawings are not. (Every full build
also checks each published drawing against the hashes in charts/published.json.) Dates the site prints come from SOURCE_DATE_EPOCH, which the build
takes from the last commit (or, outside git, from CITATION.cff's release date).
"""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import yaml
from helpers import tree_digest

from scripts.charts.build import INPUTS_FILE
from scripts.paths import ROOT, Layout, copy_working_tree
from scripts.site import source_date_epoch

OUTPUTS = ("site", "charts", "data/derived")


def test_two_clean_builds_in_different_directories_are_byte_identical(built_site, cache_was_empty, tmp_path):
    other = copy_working_tree(tmp_path / "somewhere" / "else" / "tree", share_cache=cache_was_empty)
    assert other.root != built_site.root and (cache_was_empty or not other.cache.exists())
    (other.charts / INPUTS_FILE).unlink()  # so the specs are built, not reused, under the other hash seed
    env = {
        **os.environ,
        "TZ": "Pacific/Kiritimati",  # UTC+14: a local-time date would be a day off
        "LC_ALL": "C.UTF-8",
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "4021",  # set iteration order differs from the session's
    }
    env.pop("SOURCE_DATE_EPOCH", None)
    result = subprocess.run(
        [sys.executable, "-m", "scripts", "build"], cwd=other.root, env=env,
        capture_output=True, text=True, timeout=1200,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    for name in OUTPUTS:
        ours, theirs = tree_digest(built_site.root / name), tree_digest(other.root / name)
        assert ours, name
        differing = sorted(path for path in ours.keys() | theirs.keys() if ours.get(path) != theirs.get(path))
        assert not differing, f"{name}/: {len(differing)} file(s) differ between the two builds: {differing[:25]}"
    # Neither build wrote where it lives into what it published.
    for root in (built_site.root, other.root):
        for path in (root / "site").rglob("*"):
            if path.suffix in {".html", ".json", ".xml", ".csv", ".txt", ".js", ".css", ".svg"}:
                assert str(root) not in path.read_text(encoding="utf-8", errors="replace"), path


def test_the_dates_the_site_prints_come_from_source_date_epoch(built_site):
    epoch = int(source_date_epoch(built_site))
    day = datetime.fromtimestamp(epoch, timezone.utc).date().isoformat()
    sitemap = (built_site.site / "sitemap.xml").read_text(encoding="utf-8")
    lastmods = set(re.findall(r"<lastmod>([^<]+)</lastmod>", sitemap))
    assert lastmods == {day}
    with gzip.open(built_site.site / "sitemap.xml.gz") as handle:
        assert handle.read().decode("utf-8") == sitemap
    header_mtime = int.from_bytes((built_site.site / "sitemap.xml.gz").read_bytes()[4:8], "little")
    assert datetime.fromtimestamp(header_mtime, timezone.utc).date().isoformat() == day
    # Today's date appears nowhere unless it is also the epoch's: nothing reads the clock.
    today = date.today().isoformat()
    if today != day:
        for path in built_site.site.rglob("*"):
            if path.suffix in {".html", ".json", ".xml", ".csv", ".txt"}:
                assert today not in path.read_text(encoding="utf-8", errors="replace"), path


def git(cwd: Path, *args: str, when: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


def test_source_date_epoch_is_the_last_commit_then_the_release_date(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = tmp_path / "tree"
    root.mkdir()
    cff = re.sub(r"(?m)^date-released: .*$", "date-released: 2024-05-06", (ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    (root / "CITATION.cff").write_text(cff, encoding="utf-8")
    layout = Layout(root)
    released = yaml.safe_load((root / "CITATION.cff").read_text())["date-released"]
    # Outside git: the release date, at midnight UTC.
    assert int(source_date_epoch(layout)) == int(datetime.combine(released, datetime.min.time(), tzinfo=timezone.utc).timestamp())
    # In git: the last commit's time, whatever the release date says.
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first", when="2025-02-03T04:05:06+00:00")
    assert int(source_date_epoch(layout)) == int(datetime(2025, 2, 3, 4, 5, 6, tzinfo=timezone.utc).timestamp())
    # An explicit SOURCE_DATE_EPOCH wins, as the convention says.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert source_date_epoch(layout) == "86400"

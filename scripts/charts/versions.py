"""Chart versions: the stable URLs an embed points at never change their data.

A chart is published at ``charts/<id>/v<N>/<id>.vl.json`` (and ``.csv``, ``.xlsx``; the site adds
the images, the zip and the embed pages in the same folder, see scripts/site/versions.py). Version 1 is the first
publication; every later version is declared by a row of the hand-curated corrections log
(``data/source/corrections.csv``) whose scope is ``chart:<id>`` and whose ``chart_version``
is N. The build compares the chart's data with what is already published under the current
version and refuses to overwrite it: changing a chart's data means logging the change.
Once deployed, the other files of a version are frozen too: the site step checks every one against
the committed record (``charts/published.json``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import shutil

import pandas as pd

from scripts.charts.registry import ChartBuildError
from scripts.project import COMMITTED_CHART_FILES, chart_file

CORRECTIONS_FILE = "data/source/corrections.csv"
CHART_SCOPE = "chart:"
VERSION_KINDS = tuple(COMMITTED_CHART_FILES)  # the files of one chart version that charts/ holds
# Written into charts/ by the site step, not by the chart step (so not part of its .inputs.json):
# every published file of every version with its hash, and the frozen scripts and styles the
# embed pages load.
RECORD_FILE = "published.json"
FROZEN_ASSETS = "embed-assets"
SITE_STEP_FILES = (RECORD_FILE, FROZEN_ASSETS)


@dataclass(frozen=True)
class ChartVersion:
    number: int
    date: str  # ISO day the version was published; "" when no corrections log is loaded

    def file(self, chart_id: str, kind: str) -> str:
        """The path of one published file ("vegalite" or "csv"), relative to charts/ (and to the site's charts/)."""
        return chart_file(chart_id, self.number, kind)


def chart_versions(corrections: pd.DataFrame | None, chart_ids: Iterable[str]) -> dict[str, ChartVersion]:
    """The current version of every chart, from the corrections log."""
    return {chart_id: history[-1] for chart_id, history in version_history(corrections, chart_ids).items()}


def version_history(corrections: pd.DataFrame | None, chart_ids: Iterable[str]) -> dict[str, list[ChartVersion]]:
    """Every version of every chart, oldest first, from the corrections log.

    Rows scoped ``chart:<id>`` must name a registered chart and number its versions 2, 3, …
    in date order; anything else is an error naming the row.
    """
    chart_ids = list(chart_ids)
    if corrections is None or corrections.empty:
        return {chart_id: [ChartVersion(1, "")] for chart_id in chart_ids}
    rows = corrections.reset_index(drop=True)
    first_published = _day(rows["date"].min())
    history = {chart_id: [ChartVersion(1, first_published)] for chart_id in chart_ids}
    for index, row in rows.sort_values("date", kind="stable").iterrows():
        scope = str(row["scope"])
        if not scope.startswith(CHART_SCOPE):
            continue
        where = f"{CORRECTIONS_FILE} row {index + 2}"
        chart_id = scope[len(CHART_SCOPE):]
        if chart_id not in history:
            raise ChartBuildError(f"{where}, column scope: no chart is registered with id {chart_id!r}")
        number = row.get("chart_version")
        expected = history[chart_id][-1].number + 1
        if pd.isna(number) or int(number) != expected:
            raise ChartBuildError(
                f"{where}, column chart_version: chart {chart_id!r} is at v{expected - 1}, "
                f"so this change must be chart_version {expected} (found {'nothing' if pd.isna(number) else int(number)})"
            )
        history[chart_id].append(ChartVersion(expected, _day(row["date"])))
    return history


def check_data_unchanged(previous: Path | None, current: Mapping[str, tuple[ChartVersion, bytes]]) -> None:
    """Refuse to change the data published under an existing version (chart id → version, CSV)."""
    if previous is None:
        return
    changed = []
    for chart_id, (version, csv) in current.items():
        published = previous / version.file(chart_id, "csv")
        if published.is_file() and published.read_bytes() != csv:
            changed.append(f"{chart_id} (charts/{version.file(chart_id, 'csv')}: log chart_version {version.number + 1})")
    if changed:
        raise ChartBuildError(
            "the data of published chart versions would change, and an embed must never change under a "
            f"story. Log each change in {CORRECTIONS_FILE} (scope chart:<id>, chart_version, what changed "
            "and why) to publish it as a new version: " + "; ".join(changed)
        )


def archived_files(previous: Path | None, current: Mapping[str, ChartVersion]) -> dict[str, bytes]:
    """Earlier versions of still-registered charts, carried over unchanged (path → bytes)."""
    if previous is None or not previous.is_dir():
        return {}
    files = {}
    for chart_id, version in current.items():
        for number in range(1, version.number):
            for kind in VERSION_KINDS:
                name = chart_file(chart_id, number, kind)
                if (previous / name).is_file():
                    files[name] = (previous / name).read_bytes()
    return files


def carry_site_record(previous: Path, out_dir: Path) -> None:
    """Keep the site step's record and frozen assets in a newly written charts/ (a build without
    the site step leaves them as they are; one with it rewrites them)."""
    for name in SITE_STEP_FILES:
        source, target = previous / name, out_dir / name
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        elif source.is_file():
            shutil.copyfile(source, target)


def _day(value) -> str:
    return pd.Timestamp(value).date().isoformat()

"""Every class of bad input, through the command line: one message, never a traceback.

Each case corrupts a copy of the project and runs the build command on it. The build must print
"build stopped:" and one line per problem naming the file (and the row and column where there is
one), exit with status 1, and print no Python traceback. Cases that only the site step can see (a
page's macro, the notebook) run the full build; the others stop before the charts (--no-charts),
which is the same code path up to the ledger.

A case that corrupts data, pages or configuration runs the command's entry point
(``scripts.cli.main``) in this process on the copy, with the file descriptors captured and the
log sent to standard error as from a shell, so that a traceback printed, logged or written by a
child process would be seen. A case that corrupts the build's own code runs
``python -m scripts build`` in the copy, as a new process must, to import the corrupted code;
so does one data case, for the process's own exit status.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.cli import main
from scripts.paths import ROOT, content_digest, copy_working_tree

REPORT = "data/source/report"
PUBLIC = "data/source/public"
FINDINGS_NETWORKS = "scripts/findings/networks.py"
FINDINGS_OVERVIEW = "scripts/findings/overview.py"
CHARTS_GEOGRAPHY = "scripts/charts/sections/geography.py"
Corrupt = Callable[[Path], None]


def line_of(relpath: str, text: str) -> int:
    """The line of the project's file where ``text`` first stands (so a message's line is not copied by hand)."""
    for number, line in enumerate((ROOT / relpath).read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"fixture out of date: {text!r} is not in {relpath}")


def decorator_line(relpath: str, text: str) -> int:
    """The line of the decorator above ``text`` (a finding's or chart's id): where an error about it points."""
    lines = (ROOT / relpath).read_text(encoding="utf-8").splitlines()
    number = line_of(relpath, text)
    while not lines[number - 1].startswith("@"):
        number -= 1
    return number


FIRST_FINDING_LINE = line_of("docs/networks.md", '{{ finding("linked-arrest-actions") }}')
TABLE_1_CHART_LINE = line_of("docs/networks.md", '{{ chart("networks-table-1") }}')
ROUTE_DETAIL_LINE = decorator_line(FINDINGS_NETWORKS, '"route-detail-arrest-actions"')
DEPLOYED_SHARE_LINE = decorator_line(FINDINGS_NETWORKS, '"deployed-operative-share"')
INCIDENTS_TOTAL_LINE = decorator_line(FINDINGS_OVERVIEW, '"incidents-total"')
INDIVIDUALS_TOTAL_LINE = decorator_line(FINDINGS_OVERVIEW, '"individuals-total"')
REGIONS_MAP_LINE = decorator_line(CHARTS_GEOGRAPHY, 'id="geography-regions-map"')


def edit(relpath: str, old: str, new: str) -> Corrupt:
    def corrupt(root: Path) -> None:
        path = root / relpath
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture out of date: {old!r} not in {relpath}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return corrupt


def keep_lines(relpath: str, keep: Callable[[int, str], bool]) -> Corrupt:
    def corrupt(root: Path) -> None:
        path = root / relpath
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(line for number, line in enumerate(lines, start=1) if keep(number, line)),
                        encoding="utf-8")

    return corrupt


def drop_row(relpath: str, key: str) -> Corrupt:
    return keep_lines(relpath, lambda number, line: not line.startswith(key + ","))


def drop_column(relpath: str, column: str) -> Corrupt:
    def corrupt(root: Path) -> None:
        path = root / relpath
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        index = rows[0].index(column)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(row[:index] + row[index + 1:] for row in rows)
        path.write_text(out.getvalue(), encoding="utf-8")

    return corrupt


def descriptor(change: Callable[[dict], None]) -> Corrupt:
    def corrupt(root: Path) -> None:
        path = root / "data/datapackage.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")

    return corrupt


def both(*corruptions: Corrupt) -> Corrupt:
    def corrupt(root: Path) -> None:
        for one in corruptions:
            one(root)

    return corrupt


def write(relpath: str, text: str) -> Corrupt:
    return lambda root: (root / relpath).write_text(text, encoding="utf-8")


def append(relpath: str, line: str) -> Corrupt:
    def corrupt(root: Path) -> None:
        with (root / relpath).open("a", encoding="utf-8") as handle:
            handle.write(line)

    return corrupt


def remove(relpath: str) -> Corrupt:
    return lambda root: (root / relpath).unlink()


def symlinked_table(root: Path) -> None:
    table = root / REPORT / "justice.csv"
    real = root / "justice-elsewhere.csv"
    shutil.move(table, real)
    table.symlink_to(real)


def symlink_in_data(root: Path) -> None:
    (root / REPORT / "extra.csv").symlink_to(root / "README.md")


def resource(name: str, **changes) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        hit = [r for r in data["resources"] if r["name"] == name]
        assert hit, f"fixture out of date: no resource {name}"
        hit[0].update(changes)

    return change


# (class, corruption, full build?, fragments of the one expected problem line)
CASES = [
    # Section 3: inputs that used to end in a traceback or a misleading message.
    ("header-only table", keep_lines(f"{REPORT}/claims.csv", lambda n, _: n == 1), False,
     [f"{REPORT}/claims.csv, row 1", "has a header but no rows"]),
    ("empty file", write(f"{REPORT}/justice.csv", ""), False,
     [f"{REPORT}/justice.csv, row 1", "is empty: it needs a header row"]),
    ("required denominator deleted", drop_row(f"{REPORT}/denominators.csv", "all-individuals"), False,
     [f"{REPORT}/denominators.csv, column denominator_id", "no row with denominator_id = 'all-individuals'"]),
    ("claim a check needs deleted", drop_row(f"{REPORT}/claims.csv", "arrest-actions-total"), False,
     [f"{REPORT}/claims.csv, column claim_id", "no row with claim_id = 'arrest-actions-total'"]),
    ("category a finding needs deleted", drop_row(f"{REPORT}/coverage.csv", "citizenship"), False,
     [f"{REPORT}/coverage.csv, column attribute", "no row with attribute = 'citizenship'"]),
    ("claim of a transcribed finding deleted", drop_row(f"{REPORT}/claims.csv", "charleroi-incidents"), False,
     [f"{REPORT}/claims.csv, column claim_id", "no claim 'charleroi-incidents': finding charleroi-incidents is transcribed"]),
    ("integer too large for its type", edit(f"{REPORT}/incidents.csv", "linked,arrest_action,94", "linked,arrest_action,99999999999999999999999"), False,
     [f"{REPORT}/incidents.csv, row 2, column incidents", "is too large: the limit is 9007199254740991"]),
    ("number with an underscore", edit(f"{REPORT}/incidents.csv", "linked,arrest_action,94", "linked,arrest_action,9_4"), False,
     [f"{REPORT}/incidents.csv, row 2, column incidents", "'9_4' has a separator in it"]),
    ("datapackage.json not valid JSON", write("data/datapackage.json", '{"resources": ['), False,
     ["data/datapackage.json: is not valid JSON", "line 1"]),
    ("datapackage.json missing", remove("data/datapackage.json"), False,
     ["data/datapackage.json: file is missing"]),
    ("datapackage.json without resources", write("data/datapackage.json", "[]"), False,
     ["data/datapackage.json: must be a JSON object with a non-empty \"resources\" list"]),
    ("schema file missing", remove(f"{REPORT}/incidents.schema.json"), False,
     [f"{REPORT}/incidents.schema.json: file is missing"]),
    ("schema file not valid JSON", write(f"{REPORT}/incidents.schema.json", '{"fields": ['), False,
     [f"{REPORT}/incidents.schema.json: is not valid JSON"]),
    ("schema field of an unknown type", edit(f"{REPORT}/incidents.schema.json", '"type": "integer"', '"type": "decimal"'), False,
     [f"{REPORT}/incidents.schema.json, column incidents", "has type 'decimal'"]),
    ("resource path climbs out of data/", descriptor(resource("incidents", path="source/../../README.md")), False,
     ["data/datapackage.json: resource 'incidents': its path 'source/../../README.md' leaves data/"]),
    ("resource path absolute", descriptor(resource("justice", path="/etc/hostname")), False,
     ["data/datapackage.json: resource 'justice': its path '/etc/hostname' leaves data/"]),
    ("missing column matched by name", drop_column(f"{REPORT}/incidents.csv", "footnote"), False,
     [f"{REPORT}/incidents.csv, row 1, column footnote: missing column `footnote`"]),
    ("header typo shown with its likely fix", edit(f"{REPORT}/incidents.csv", "people_arrested", "people_arested"), False,
     [f"{REPORT}/incidents.csv, row 1, column people_arested: unexpected column `people_arested`",
      "did you mean `people_arrested`?"]),
    ("columns out of order", edit(f"{REPORT}/linked_routes.csv", "route,arrest_actions,", "arrest_actions,route,"), False,
     [f"{REPORT}/linked_routes.csv, row 1", "columns are in a different order"]),
    ("NaN where a count is expected", edit(f"{REPORT}/incidents.csv", "linked,arrest_action,94", "linked,arrest_action,NaN"), False,
     [f"{REPORT}/incidents.csv, row 2, column incidents", "'NaN' is not a whole number"]),
    ("boolean written TRUE", edit(f"{REPORT}/networks.csv", "Zerkani network,13,true", "Zerkani network,13,TRUE"), False,
     [f"{REPORT}/networks.csv, row 2, column table_asterisk", "'TRUE' is not a boolean this table accepts: write true or false"]),
    ("claim that no finding checks", append(f"{REPORT}/claims.csv", 'no-such-claim,3,3,exact,Conclusion,,"three of them"\n'), False,
     [f"{REPORT}/claims.csv, row ", "column claim_id: claim 'no-such-claim' has no finding to check it"]),
    ("transcription that disagrees with its claim", edit(f"{REPORT}/claims.csv", "citizenship-known,94,94,", "citizenship-known,94,95,"), False,
     [f"{REPORT}/claims.csv, row {line_of(f'{REPORT}/claims.csv', 'citizenship-known,94,94,')}, column reported_value", "finding citizenship-known is transcribed from the report but does not agree"]),
    ("macro error in a page", edit("docs/networks.md", '{{ finding("linked-arrest-actions") }}', '{{ finding("no-such-id") }}'), True,
     [f"docs/networks.md, line {FIRST_FINDING_LINE}: finding 'no-such-id' is not in the ledger"]),
    ("template syntax error in a page", edit("docs/networks.md", '{{ finding("linked-arrest-actions") }}', '{{ finding( }}'), True,
     [f"docs/networks.md, line {FIRST_FINDING_LINE}: unexpected '}}'"]),
    ("chart id with a slash", edit("docs/networks.md", '{{ chart("networks-table-1") }}', '{{ chart("networks/table-1") }}'), True,
     [f"docs/networks.md, line {TABLE_1_CHART_LINE}: chart id 'networks/table-1' is not a chart id"]),
    ("notebook not valid JSON", write("docs/reproduce.ipynb", '{"cells": ['), True,
     ["docs/reproduce.ipynb: is not a valid notebook", "does not appear to be JSON"]),
    # Section 4: well-typed but implausible.
    ("required text empty after trimming", edit(f"{REPORT}/networks.csv", "maaseik-network,Maaseik network,", "maaseik-network,   ,"), False,
     [f"{REPORT}/networks.csv, row 8, column name: is empty after trimming spaces, but a value is required"]),
    ("name in look-alike Cyrillic letters", edit(f"{REPORT}/tatp_mentions.csv", "2015-11,Paris,", "2015-11,\u0420\u0430ris,"), False,
     [f"{REPORT}/tatp_mentions.csv, row 3, column place: '\u0420\u0430ris' looks like 'Paris'", "U+0420 CYRILLIC CAPITAL LETTER ER"]),
    ("word mixing Latin and Greek letters", edit(f"{REPORT}/networks.csv", "Kamikaze Riders", "Kamikaze Rider\u03bf"), False,
     [f"{REPORT}/networks.csv, row 11, column name", "mixes Greek and Latin letters in one word"]),
    ("invisible character inside a name", edit(f"{PUBLIC}/places.csv", ",Antwerp,", ",Ant\u200bwerp,"), False,
     [f"{PUBLIC}/places.csv, row 2, column name", "looks like 'Antwerp'", "U+200B ZERO WIDTH SPACE"]),
    ("date in year 1", edit(f"{PUBLIC}/other_events.csv", "2014-05-24,Jewish", "0001-05-24,Jewish"), False,
     [f"{PUBLIC}/other_events.csv, row 2, column date: 0001-05-24 is outside the period this table can cover, 2014-01-01 to 2018-02-28"]),
    ("correction dated in year 1", edit("data/source/corrections.csv", "2026-11-28,1.0.0", "0001-11-28,1.0.0"), False,
     ["data/source/corrections.csv, row 2, column date: 0001-11-28 is outside the period this table can cover"]),
    ("month outside its table's period", edit(f"{REPORT}/tatp_mentions.csv", "2015-11,Paris,", "2019-11,Paris,"), False,
     [f"{REPORT}/tatp_mentions.csv, row 3, column date: 2019-11 is outside the period"]),
    ("count with a sign", edit(f"{REPORT}/incidents.csv", "linked,arrest_action,94", "linked,arrest_action,+94"), False,
     [f"{REPORT}/incidents.csv, row 2, column incidents: '+94' has a sign"]),
    ("count with spaces", edit(f"{REPORT}/incidents.csv", "linked,arrest_action,94", "linked,arrest_action, 94"), False,
     [f"{REPORT}/incidents.csv, row 2, column incidents: ' 94' has spaces in it"]),
    ("non-finite number", edit(f"{REPORT}/convict_status.csv", "in_prison,0.35", "in_prison,inf"), False,
     [f"{REPORT}/convict_status.csv, row 2, column share: 'inf' is not a number"]),
    ("number in exponent form", edit(f"{REPORT}/foreign_fighters.csv", ",0.20,share", ",2e-1,share"), False,
     [f"{REPORT}/foreign_fighters.csv, row 2, column value: '2e-1' is not a number"]),
    ("boolean outside trueValues and falseValues", edit(f"{PUBLIC}/threat_levels.csv", ",national,false,", ",national,yes,"), False,
     [f"{PUBLIC}/threat_levels.csv, row 2, column date_uncertain: 'yes' is not a boolean this table accepts"]),
    ("cell larger than the limit", edit(f"{PUBLIC}/attacks.csv", "The attacker was shot", "x" * 2500), False,
     [f"{PUBLIC}/attacks.csv, row 3, column note", "one cell holds at most 2000"]),
    ("text that a spreadsheet runs as a formula", edit(f"{PUBLIC}/places.csv", ",Antwerp,", ',=HYPERLINK("http://example.org"),'), False,
     [f"{PUBLIC}/places.csv, row 2, column name: starts with '=', which a spreadsheet would run as a formula"]),
    ("formula starting with @", edit(f"{REPORT}/networks.csv", "Kamikaze Riders", "@SUM(A1)"), False,
     [f"{REPORT}/networks.csv, row 11, column name: starts with '@'"]),
    ("symbolic link among the tables", symlink_in_data, False,
     [f"{REPORT}/extra.csv: is a symbolic link"]),
    ("declared table that is a symbolic link", symlinked_table, False,
     ["data/datapackage.json: resource 'justice': its path 'source/report/justice.csv' goes through a symbolic link"]),
    ("file in data/ that the package does not declare", write(f"{REPORT}/notes.txt", "draft\n"), False,
     [f"{REPORT}/notes.txt: is not declared in data/datapackage.json"]),
    ("datapackage.json without a name", descriptor(lambda data: data.pop("name")), False,
     ['data/datapackage.json: needs a "name"']),
    ("claim with a rounding rule the ledger does not know",
     both(edit(f"{REPORT}/claims.schema.json", '"approximately"', '"approximately", "roughly"'),
          edit(f"{REPORT}/claims.csv", "citizenship-known,94,94,exact,", "citizenship-known,94,94,roughly,")), False,
     [f"{REPORT}/claims.csv, row {line_of(f'{REPORT}/claims.csv', 'citizenship-known,94,94,')}, column rounding",
      "unknown rounding rule 'roughly'"]),
    # Configuration and the definitions of findings and charts: named by file and line.
    ("mkdocs.yml without site_url", keep_lines("mkdocs.yml", lambda _, line: not line.startswith("site_url:")), True,
     ["mkdocs.yml: has no site_url line"]),
    ("mkdocs.yml missing", remove("mkdocs.yml"), True, ["mkdocs.yml: file is missing"]),
    ("finding of an unknown unit",
     edit(FINDINGS_NETWORKS, '"route-detail-arrest-actions", basis="transcribed", unit="arrest_actions"',
          '"route-detail-arrest-actions", basis="transcribed", unit="furlongs"'), False,
     [f"{FINDINGS_NETWORKS}, line {ROUTE_DETAIL_LINE}: "
      "finding 'route-detail-arrest-actions': unknown unit 'furlongs'"]),
    ("finding note that names no finding", edit(FINDINGS_NETWORKS, "({local-cell-share})", "({no-such-finding})"), False,
     [f"{FINDINGS_NETWORKS}, line {DEPLOYED_SHARE_LINE}: "
      "finding 'deployed-operative-share': its note names {no-such-finding}, which is not a finding"]),
    ("finding id defined twice", edit(FINDINGS_OVERVIEW, '"individuals-total"', '"incidents-total"'), False,
     [f"{FINDINGS_OVERVIEW}, line {INDIVIDUALS_TOTAL_LINE}: "
      "finding 'incidents-total' is defined twice",
      f"first at {FINDINGS_OVERVIEW}, line {INCIDENTS_TOTAL_LINE}"]),
    ("chart registered under an unknown section",
     edit(CHARTS_GEOGRAPHY, 'id="geography-regions-map",\n    section="geography"',
          'id="geography-regions-map",\n    section="geograpy"'), True,
     [f"{CHARTS_GEOGRAPHY}, line {REGIONS_MAP_LINE}: "
      "chart 'geography-regions-map': unknown section 'geograpy'"]),
]
assert len({case[0] for case in CASES}) == len(CASES)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    return copy_working_tree(tmp_path_factory.mktemp("inputs") / "tree", share_cache=True).root


@dataclass
class Ended:
    """How a command ended: what subprocess.CompletedProcess says of a process."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_build(capfd, monkeypatch) -> Callable[..., Ended]:
    """Run the build (or another command) on a project copy: ``run_build(root, full, command, **env)``."""
    for name in ("BTC_TRACEBACK", "SOURCE_DATE_EPOCH"):
        monkeypatch.delenv(name, raising=False)

    def run(root: Path, full: bool, command: str = "build", *, new_process: bool = False,
            **env_changes: str) -> Ended:
        args = [command, *(() if full or command != "build" else ("--no-charts",))]
        if new_process or code_digest(root) != CODE:
            env = {key: value for key, value in os.environ.items() if key not in ("BTC_TRACEBACK", "SOURCE_DATE_EPOCH")}
            done = subprocess.run([sys.executable, "-m", "scripts", *args], cwd=root, capture_output=True,
                                  text=True, env={**env, **env_changes}, timeout=600)
            return Ended(done.returncode, done.stdout, done.stderr)
        for name, value in env_changes.items():
            monkeypatch.setenv(name, value)
        # What the command logs goes to standard error, as it does from a shell (under pytest the
        # root logger already has handlers, so the command's own logging.basicConfig does nothing).
        handler = logging.StreamHandler(sys.stderr)
        logging.getLogger().addHandler(handler)
        capfd.readouterr()
        try:
            status = main(args, root=root)
        finally:
            logging.getLogger().removeHandler(handler)
        out, err = capfd.readouterr()
        return Ended(status, out, err)

    return run


def code_digest(root: Path) -> str:
    return content_digest(root, ["scripts"], skip={"__pycache__"})


# The build's code as committed: a case that changes it needs a process of its own.
CODE = code_digest(ROOT)


def assert_stopped(result: Ended, name: str, fragments: list[str]) -> None:
    """Exit status 1, "build stopped:" and one problem line holding every fragment, no traceback."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 1, output
    stopped = result.stderr[result.stderr.index("build stopped:"):] if "build stopped:" in result.stderr else ""
    assert stopped, output
    problems = [line for line in stopped.splitlines()[1:] if line.startswith("  - ")] or [stopped.splitlines()[0]]
    assert len(problems) == 1, f"{name}: expected one problem line:\n{stopped}"
    for fragment in fragments:
        assert fragment in problems[0], f"{name}: {fragment!r} not in:\n{stopped}"


@pytest.mark.parametrize(("name", "corrupt", "full", "fragments"), CASES, ids=[case[0] for case in CASES])
def test_bad_input_stops_the_command_line_with_one_message(pristine: Path, tmp_path, name, corrupt, full, fragments,
                                                           bad_input, run_build):
    root = tmp_path / "tree"
    shutil.copytree(pristine, root, symlinks=True)
    corrupt(root)
    assert_stopped(run_build(root, full), name, fragments)
    assert not list(root.glob(".build-staging-*"))
    bad_input(f"cli: {name}", "rejected")


@pytest.mark.parametrize("value", ["yesterday", "-86400", "253402300800"])
def test_a_printed_date_that_is_not_one_stops_the_build(pristine: Path, tmp_path, value, run_build):
    """SOURCE_DATE_EPOCH sets the date the pages print; a value that is no date is named, not a traceback."""
    root = tmp_path / "tree"
    shutil.copytree(pristine, root, symlinks=True)
    result = run_build(root, True, SOURCE_DATE_EPOCH=value)
    assert_stopped(result, value, [f"SOURCE_DATE_EPOCH: {value!r} is not a time in whole seconds since 1970-01-01"])
    assert not list(root.glob(".build-staging-*"))


@pytest.mark.parametrize("command", ["build", "validate"])
def test_the_process_itself_ends_with_status_1_and_the_message(pristine: Path, tmp_path, run_build, command):
    """`python -m scripts build` and `validate`, as a new process, end the same way on bad data."""
    root = tmp_path / "tree"
    shutil.copytree(pristine, root, symlinks=True)
    edit(f"{REPORT}/incidents.csv", "linked,arrest_action,94", "linked,arrest_action,9_4")(root)
    assert_stopped(run_build(root, False, command, new_process=True), command,
                   [f"{REPORT}/incidents.csv, row 2, column incidents", "'9_4' has a separator in it"])


def test_readme_is_the_only_exempt_file():
    from scripts.inputs import EXEMPT

    assert EXEMPT == ("source/public/README.md",)

"""The findings ledger: complete, traceable, recomputable, fresh and deterministic."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from scripts.ledger import COLUMNS, STATUSES, agrees, report_place, split_outside_brackets
from scripts.paths import DERIVED, ROOT
from scripts.project import SECTION_IDS

SECTIONS = set(SECTION_IDS)


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def ledger() -> dict[str, dict]:
    rows = read_csv(DERIVED / "findings.csv")
    return {row["id"]: row for row in rows}


def source(name: str) -> list[dict]:
    for folder in ("report", "public"):
        path = ROOT / "data" / "source" / folder / f"{name}.csv"
        if path.exists():
            return read_csv(path)
    raise FileNotFoundError(name)


def test_columns_are_exactly_the_contract():
    with (DERIVED / "findings.csv").open(encoding="utf-8") as handle:
        assert handle.readline().strip().split(",") == COLUMNS
    payload = json.loads((DERIVED / "findings.json").read_text(encoding="utf-8"))
    assert payload["columns"] == COLUMNS
    assert all(list(row) == COLUMNS for row in payload["findings"])


def test_ledger_covers_every_section_with_a_status(ledger):
    assert len(ledger) >= 35
    assert {row["section"] for row in ledger.values()} == SECTIONS
    assert {row["status"] for row in ledger.values()} <= set(STATUSES)
    for row in ledger.values():
        assert row["value"] != "", row["id"]
        if row["status"] in COMPARED:
            assert row["reported_value"] and row["reported_text"] and row["report_quote"], row["id"]
        else:
            assert not row["reported_value"] and not row["report_quote"], row["id"]


COMPARED = ("match", "mismatch", "transcribed", "by_construction", "fits_public_record", "differs_public_record")


def test_every_printed_figure_is_checked(ledger):
    claims = {row["claim_id"] for row in source("claims")}
    checked = {id for id, row in ledger.items() if row["status"] in COMPARED}
    assert claims == checked


def test_a_status_claims_no_more_checking_than_was_done(ledger):
    """match is kept for real recounts: a copy, a back-calculation or our own identification of
    public events gets a status that says so."""
    from scripts.findings import all_findings

    specs = {spec.id: spec for spec in all_findings()}
    for finding_id, row in ledger.items():
        spec = specs[finding_id]
        if row["status"] in ("match", "mismatch"):
            assert spec.basis == "recount" and not spec.uses_public_facts, finding_id
        if spec.basis == "transcribed":
            assert row["status"] == "transcribed", finding_id
        if spec.uses_public_facts and row["reported_text"]:
            assert row["status"].endswith("public_record"), finding_id
    # The examples named when this rule was set.
    assert ledger["brussels-charleroi-share"]["status"] == "by_construction"
    assert ledger["knife-attacks"]["status"] == "fits_public_record"
    assert ledger["threat-level-peak"]["status"] == "fits_public_record"
    assert ledger["local-cell-arrest-actions"]["status"] == "transcribed"
    assert ledger["route-overlap-arrest-actions"]["display"].startswith("at least ")


def test_display_is_one_precision_per_finding(ledger):
    from scripts.numbers import display

    for finding_id, row in ledger.items():
        assert row["display"], finding_id
        if row["unit"] == "share":
            assert row["display"].endswith("%"), finding_id
        assert row["display"].startswith("at least ") == (row["bound"] == "lower"), finding_id
    assert ledger["deployed-operative-share"]["display"] == display(13 / 70, "share", 1)
    assert display(0.175, "share") == "18%"  # halves up, as the report rounds


def test_notes_read_the_numbers_of_the_ledger(ledger):
    for finding_id, row in ledger.items():
        assert "{" not in row["note"] and "}" not in row["note"], finding_id
    note = ledger["route-overlap-arrest-actions"]["note"]
    for other in ("local-cell-arrest-actions", "deployed-operative-arrest-actions", "route-detail-arrest-actions"):
        assert ledger[other]["display"] in note


def test_every_row_leads_back_to_files_that_exist(ledger):
    for row in ledger.values():
        data_part = row["source_ref"].split("data: ")[-1]
        for name in data_part.split(", "):
            assert (ROOT / "data" / name).is_file(), (row["id"], name)
        if row["status"] in ("match", "mismatch"):
            assert row["source_ref"].startswith("report: "), row["id"]


# Key findings recomputed here straight from the CSVs, without the build's code.

def count(rows, column, **where):
    return sum(int(r[column]) for r in rows if all(r[k] == v for k, v in where.items()))


def test_linked_and_inspired_shares_recomputed(ledger):
    incidents = source("incidents")
    arrests = count(incidents, "incidents", incident_type="arrest_action")
    linked = count(incidents, "incidents", connection="linked", incident_type="arrest_action")
    assert int(ledger["arrest-actions-total"]["value"]) == arrests == 103
    assert float(ledger["linked-arrest-action-share"]["value"]) == pytest.approx(linked / arrests, abs=1e-6)
    inspired = count(incidents, "incidents", connection="inspired")
    inspired_attacks = count(incidents, "incidents", connection="inspired", incident_type="attack")
    assert float(ledger["inspired-incident-attack-share"]["value"]) == pytest.approx(inspired_attacks / inspired, abs=1e-6)
    assert ledger["inspired-attack-share"]["status"] == "match"


def test_table_one_reconciles_with_the_text(ledger):
    links = sum(int(r["arrest_action_links"]) for r in source("networks"))
    doubles = sum(int(r["arrest_actions"]) for r in source("network_double_links"))
    assert int(ledger["network-tied-arrest-actions"]["value"]) == links - doubles == 56
    assert ledger["network-tied-arrest-actions"]["status"] == "match"


def test_route_overlap_is_derived_from_the_parts(ledger):
    routes = {r["route"]: int(r["arrest_actions"]) for r in source("linked_routes")}
    detail = next(int(r["value"]) for r in source("denominators") if r["denominator_id"] == "linked-with-route-detail")
    assert int(ledger["route-overlap-arrest-actions"]["value"]) == sum(routes.values()) - detail
    assert ledger["route-overlap-arrest-actions"]["status"] == "derived"
    assert ledger["local-cell-share"]["status"] == "match"  # 60/70 prints as 85.7%
    assert ledger["deployed-operative-share"]["status"] == "match"  # 13/70 is "a little more than 18%"


def test_moroccan_share_disagrees_with_its_own_counts(ledger):
    """38 of 135 is 28%, not the printed 33%: the ledger keeps both and says so."""
    row = ledger["moroccan-linked-share"]
    assert float(row["value"]) == pytest.approx(38 / 135, abs=1e-6)
    assert float(row["reported_value"]) == pytest.approx(0.33)
    assert row["status"] == "mismatch"


def test_public_facts_agree_with_the_report(ledger):
    attacks = source("attacks")
    linked_deaths = sum(int(a["victims_killed"]) for a in attacks if a["connection"] == "linked")
    assert int(ledger["linked-attack-deaths"]["value"]) == linked_deaths > 30
    assert ledger["inspired-attack-deaths"]["status"] == "fits_public_record"
    assert ledger["attack-injured-total"]["status"] == "not_in_report"


def test_brussels_is_labelled_derived(ledger):
    row = ledger["brussels-incidents"]
    assert row["status"] == "derived" and "derived" in row["statement"]
    total = int(ledger["incidents-total"]["value"])
    together = int(ledger["brussels-charleroi-incidents"]["value"])
    assert round(100 * together / total) == 71
    assert int(row["value"]) == together - 14


@pytest.mark.parametrize(
    ("value", "reported", "rounding", "expected"),
    [
        (0.9126, 0.91, "percent", True),
        (0.9151, 0.91, "percent", False),
        (0.175, 0.18, "percent", True),  # halves round up, as printed reports do
        (0.857142, 0.857, "percent_1dp", True),
        (0.8586, 0.857, "percent_1dp", False),
        (0.1857, 0.18, "floor_percent", True),
        (0.18, 0.18, "floor_percent", False),  # "more than 18%" excludes 18% itself
        (0.1921, 0.18, "floor_percent", False),
        (32, 30, "more_than", True),
        (30, 30, "more_than", False),
        (101, 101, "at_least", True),
        (100, 101, "at_least", False),
        (2050, 2000, "approximately", True),
        (2200, 2000, "approximately", False),
        (61, 61, "exact", True),
        (60, 61, "exact", False),
    ],
)
def test_rounding_rules(value, reported, rounding, expected):
    assert agrees(value, reported, rounding) is expected


def test_committed_ledger_is_not_stale(built_ledger):
    for name in ("findings.csv", "findings.json", "findings.xlsx"):
        fresh = (built_ledger.derived / name).read_bytes()
        committed = (DERIVED / name).read_bytes()
        assert fresh == committed, f"data/derived/{name} is stale: run `make site` and commit it"


def test_two_builds_give_identical_bytes(built_ledger, tmp_path):
    from helpers import copy_inputs, tree_digest

    from scripts.build import build

    again = copy_inputs(tmp_path)
    build(again, charts=False, site=False)
    assert tree_digest(again.derived) == tree_digest(built_ledger.derived)


def test_data_package_validates_including_the_ledger():
    from frictionless import Package, system

    with system.use_context(trusted=True):
        report = Package(str(ROOT / "data" / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_unchanged_inputs_skip_the_build_and_any_change_rebuilds(tmp_path):
    """The no-op rebuild: nothing is redone while inputs and outputs are as the last build left them."""
    from helpers import copy_project, tree_digest

    from scripts.build import build

    layout = copy_project(tmp_path / "tree")
    assert "up_to_date" not in build(layout, site=False)
    outputs = tree_digest(layout.charts)
    assert build(layout, site=False).get("up_to_date") is True
    assert tree_digest(layout.charts) == outputs

    page = layout.docs / "about.md"  # an input changes: rebuilt
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert "up_to_date" not in build(layout, site=False)

    (layout.charts / "index.json").unlink()  # an output is damaged: rebuilt and restored
    assert "up_to_date" not in build(layout, site=False)
    assert tree_digest(layout.charts) == outputs
    assert "up_to_date" not in build(layout, site=False, force=True)


def test_every_finding_is_explained_in_plain_words(ledger):
    """The explanation a reader gets with each number: words, not the tables' terms (the formula)."""
    for finding_id, row in ledger.items():
        text = row["explanation"]
        assert text and text != row["formula"], finding_id
        assert not re.search(r"[=_/+−≥]|\b(?:connection|type|where)\s*=", text), (finding_id, text)
        assert text.endswith("."), (finding_id, text)


def test_a_source_ref_is_split_outside_its_brackets():
    ref = ("report: [nationalities section; heading not in the text available to us], fn 25; "
           "data: source/report/belgian_birthplaces.csv")
    assert split_outside_brackets(ref) == [
        "report: [nationalities section; heading not in the text available to us], fn 25",
        "data: source/report/belgian_birthplaces.csv",
    ]
    # For readers: the section and the footnote, without our note on our copy of the report.
    assert report_place(ref) == "nationalities section, footnote 25"
    assert report_place("report: Key Findings; data: source/report/claims.csv") == "Key Findings"
    assert report_place("data: source/public/attacks.csv") == ""


def test_every_source_ref_names_a_place_in_the_report_a_reader_can_read(ledger):
    for finding_id, row in ledger.items():
        if row["source_ref"].startswith("report: "):
            place = report_place(row["source_ref"])
            assert place and "[" not in place and "]" not in place and "heading" not in place, (finding_id, place)

"""Checks that span tables: parts within totals, sums that reconcile with the report's figures.

Schema-level checks (types, required, enums, keys) run first through frictionless; only when
those pass do the checks here run, so they may assume well-typed tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from scripts.datapackage import DataError, MissingRow, Problem, load_tables, validate_schemas
from scripts.findings import cell

Tables = dict[str, pd.DataFrame]
Check = Callable[[Tables], Iterator[Problem]]
CHECKS: list[Check] = []

SHARE_TOLERANCE = 0.005  # printed shares are rounded to whole per cent


def check(fn: Check) -> Check:
    CHECKS.append(fn)
    return fn


def _row(frame: pd.DataFrame, index) -> int:
    """Line number in the CSV for a DataFrame index (header is line 1)."""
    return int(frame.index.get_loc(index)) + 2


def _claim(tables: Tables, claim_id: str) -> float:
    return float(cell(tables["claims"], "claim_id", claim_id, "reported_value"))


def _where(tables: Tables, name: str, column: str, row: int | None = None) -> dict:
    return {"file": tables[name].attrs["path"], "column": column, "row": row}


@check
def counts_are_not_negative(tables: Tables) -> Iterator[Problem]:
    # Table schemas already set minimum 0; this guards tables whose schema forgot to.
    for name, frame in tables.items():
        for column in frame.columns:
            if str(frame[column].dtype) != "Int64":
                continue
            for index in frame.index[frame[column].fillna(0) < 0]:
                yield Problem(
                    **_where(tables, name, column, _row(frame, index)),
                    message=f"negative count {frame.at[index, column]}",
                )


@check
def shares_are_fractions(tables: Tables) -> Iterator[Problem]:
    for name, column in [("convict_status", "share")]:
        frame = tables[name]
        for index in frame.index[(frame[column] < 0) | (frame[column] > 1)]:
            yield Problem(
                **_where(tables, name, column, _row(frame, index)),
                message=f"share {frame.at[index, column]} is outside 0–1",
            )
    frame = tables["foreign_fighters"]
    shares = frame[frame["unit"] == "share"]
    for index in shares.index[(shares["value"] < 0) | (shares["value"] > 1)]:
        yield Problem(
            **_where(tables, "foreign_fighters", "value", _row(frame, index)),
            message=f"share {frame.at[index, 'value']} is outside 0–1",
        )


def _reconcile(tables, name, column, got, claim_id, what) -> Iterator[Problem]:
    expected = _claim(tables, claim_id)
    if got != expected:
        yield Problem(
            **_where(tables, name, column),
            message=f"{what} is {got:g}, but the report prints {expected:g} (claims: {claim_id})",
        )


@check
def incidents_reconcile_with_report_totals(tables: Tables) -> Iterator[Problem]:
    incidents = tables["incidents"]
    by_type = incidents.groupby("incident_type")["incidents"].sum()
    yield from _reconcile(
        tables, "incidents", "incidents", int(by_type.get("arrest_action", 0)),
        "arrest-actions-total", "the sum of arrest actions",
    )
    yield from _reconcile(
        tables, "incidents", "incidents", int(by_type.get("attack", 0)),
        "attacks-total", "the sum of attacks",
    )
    for index, row in incidents.iterrows():
        people = row["people_arrested"]
        if pd.notna(people) and row["incident_type"] == "arrest_action" and people < row["incidents"]:
            yield Problem(
                **_where(tables, "incidents", "people_arrested", _row(incidents, index)),
                message=f"{people} people arrested in {row['incidents']} arrest actions: "
                "every arrest action arrests at least one person",
            )


@check
def network_links_reconcile(tables: Tables) -> Iterator[Problem]:
    networks = tables["networks"]
    doubles = tables["network_double_links"]
    tied = int(networks["arrest_action_links"].sum() - doubles["arrest_actions"].sum())
    yield from _reconcile(
        tables, "networks", "arrest_action_links", tied, "network-tied-arrest-actions",
        "Table 1 links minus double links",
    )
    marked = set(networks.loc[networks["table_asterisk"], "network_id"])
    for index, row in doubles.iterrows():
        for column in ("network_a", "network_b"):
            if row[column] not in marked:
                yield Problem(
                    **_where(tables, "network_double_links", column, _row(doubles, index)),
                    message=f"{row[column]} is in a double link but has no asterisk in Table 1",
                )
        if row["network_a"] == row["network_b"]:
            yield Problem(
                **_where(tables, "network_double_links", "network_b", _row(doubles, index)),
                message="a double link needs two different networks",
            )


@check
def routes_fit_their_denominator(tables: Tables) -> Iterator[Problem]:
    routes = tables["linked_routes"]
    detail = int(cell(tables["denominators"], "denominator_id", "linked-with-route-detail", "value"))
    linked = int(
        tables["incidents"]
        .query("connection == 'linked' and incident_type == 'arrest_action'")["incidents"]
        .sum()
    )
    if detail > linked:
        yield Problem(
            **_where(tables, "denominators", "value"),
            message=f"{detail} arrest actions with route detail exceed the {linked} linked ones",
        )
    for index in routes.index[routes["arrest_actions"] > detail]:
        yield Problem(
            **_where(tables, "linked_routes", "arrest_actions", _row(routes, index)),
            message=f"part {routes.at[index, 'arrest_actions']} exceeds its total {detail}",
        )
    if routes["arrest_actions"].sum() < detail:
        yield Problem(
            **_where(tables, "linked_routes", "arrest_actions"),
            message=f"routes sum to {routes['arrest_actions'].sum()}, fewer than the {detail} "
            "arrest actions they classify",
        )


@check
def places_fit_the_total(tables: Tables) -> Iterator[Problem]:
    places = tables["incidents_by_place"]
    total = int(tables["incidents"]["incidents"].sum())
    if places["incidents"].sum() > total:
        yield Problem(
            **_where(tables, "incidents_by_place", "incidents"),
            message=f"places sum to {places['incidents'].sum()}, more than all {total} incidents",
        )
    for index, row in places.iterrows():
        if pd.notna(row["attacks"]) and row["attacks"] > row["incidents"]:
            yield Problem(
                **_where(tables, "incidents_by_place", "attacks", _row(places, index)),
                message=f"part {row['attacks']} exceeds its total {row['incidents']}",
            )


@check
def coverage_fits_the_incidents(tables: Tables) -> Iterator[Problem]:
    measures = tables["weapons_targets"]
    arrests = int(tables["incidents"].query("incident_type == 'arrest_action'")["incidents"].sum())
    total = int(tables["incidents"]["incidents"].sum())
    for index, row in measures.iterrows():
        limit = arrests if row["measure"] == "plots" else total
        if row["incidents"] > limit:
            yield Problem(
                **_where(tables, "weapons_targets", "incidents", _row(measures, index)),
                message=f"part {row['incidents']} ({row['measure']}) exceeds its total {limit}",
            )


@check
def individuals_fit_their_totals(tables: Tables) -> Iterator[Problem]:
    everyone = int(cell(tables["denominators"], "denominator_id", "all-individuals", "value"))
    coverage = tables["coverage"]
    for index, row in coverage.iterrows():
        if row["individuals_with_data"] > everyone:
            yield Problem(
                **_where(tables, "coverage", "individuals_with_data", _row(coverage, index)),
                message=f"part {row['individuals_with_data']} exceeds its total {everyone}",
            )
    citizenship = tables["citizenship"]
    known = int(cell(coverage, "attribute", "citizenship", "individuals_with_data"))
    if citizenship["individuals"].sum() > known:
        yield Problem(
            **_where(tables, "citizenship", "individuals"),
            message=f"citizens sum to {citizenship['individuals'].sum()}, more than the {known} "
            "individuals with known citizenship",
        )
    yield from _reconcile(
        tables, "citizenship", "country_code", len(citizenship), "countries",
        "the number of countries",
    )
    belgians = int(cell(citizenship, "country_code", "BE", "individuals"))
    yield from _reconcile(
        tables, "belgian_birthplaces", "individuals",
        int(tables["belgian_birthplaces"]["individuals"].sum()), "belgian-citizens",
        "Belgian citizens by birthplace",
    )
    groups = {group: int(cell(tables["individual_groups"], "group_id", group, "individuals"))
              for group in ("moroccan-link-belgian-citizens", "belgian-dual-citizens", "moroccan-link")}
    for part, whole, total in [
        ("moroccan-link-belgian-citizens", "moroccan-link", groups["moroccan-link"]),
        ("belgian-dual-citizens", "Belgian citizens", belgians),
        ("moroccan-link", "all individuals", everyone),
    ]:
        if groups[part] > total:
            frame = tables["individual_groups"]
            yield Problem(
                **_where(tables, "individual_groups", "individuals",
                         _row(frame, frame.index[frame["group_id"] == part][0])),
                message=f"{part} ({groups[part]}) exceeds {whole} ({total})",
            )


@check
def convict_shares_add_up(tables: Tables) -> Iterator[Problem]:
    total = float(tables["convict_status"]["share"].sum())
    if abs(total - 1) > SHARE_TOLERANCE * len(tables["convict_status"]):
        yield Problem(
            **_where(tables, "convict_status", "share"),
            message=f"shares sum to {total:.2f}, not 1",
        )
    convictions, verdicts = (cell(tables["justice"], "measure", measure, "value")
                             for measure in ("convictions_2016", "verdicts_2016"))
    if convictions > verdicts:
        yield Problem(
            **_where(tables, "justice", "value"),
            message="convictions exceed verdicts",
        )


@check
def attacks_match_the_report(tables: Tables) -> Iterator[Problem]:
    attacks = tables["attacks"]
    incidents = tables["incidents"].query("incident_type == 'attack'")
    counted = attacks["connection"].value_counts()
    for _, row in incidents.iterrows():
        got = int(counted.get(row["connection"], 0))
        if got != row["incidents"]:
            yield Problem(
                **_where(tables, "attacks", "connection"),
                message=f"{got} {row['connection']} attacks listed, but the report counts "
                f"{row['incidents']}",
            )


@check
def attack_identification_matches_attacks(tables: Tables) -> Iterator[Problem]:
    """Every attack is an identified candidate with the same date and name; rejected ones point nowhere."""
    candidates = tables["attack_identification"]
    attacks = tables["attacks"].set_index("attack_id")
    for index, row in candidates.iterrows():
        attack_id = row["attack_id"]
        if row["decision"] == "rejected":
            if pd.notna(attack_id):
                yield Problem(
                    **_where(tables, "attack_identification", "attack_id", _row(candidates, index)),
                    message="a rejected candidate cannot be one of the attacks; leave attack_id empty",
                )
            continue
        if pd.isna(attack_id):
            yield Problem(
                **_where(tables, "attack_identification", "attack_id", _row(candidates, index)),
                message="an identified candidate must name its row in attacks",
            )
            continue
        for column in ("date", "name"):
            if row[column] != attacks.at[attack_id, column]:
                yield Problem(
                    **_where(tables, "attack_identification", column, _row(candidates, index)),
                    message=f"{row[column]!r} differs from attacks ({attacks.at[attack_id, column]!r} for {attack_id})",
                )
    identified = set(candidates.loc[candidates["decision"] == "identified", "attack_id"].dropna())
    listed = tables["attacks"]
    for index, attack_id in listed["attack_id"].items():
        if attack_id not in identified:
            yield Problem(
                **_where(tables, "attacks", "attack_id", _row(listed, index)),
                message=f"{attack_id} has no identified row in attack_identification",
            )


@check
def one_name_per_event(tables: Tables) -> Iterator[Problem]:
    """An event the TATP table shares with the attacks or other events (same month) has the same name."""
    names = {}
    for table, key, column in (("attacks", "attack_id", "name"), ("other_events", "event_id", "label")):
        for _, row in tables[table].iterrows():
            names.setdefault(str(row["date"])[:7], set()).add(str(row[column]).split(":", 1)[0].strip())
    mentions = tables["tatp_mentions"]
    for index, row in mentions.iterrows():
        elsewhere = names.get(str(row["date"])[:7], set())
        if elsewhere and row["name"] not in elsewhere:
            yield Problem(
                **_where(tables, "tatp_mentions", "name", _row(mentions, index)),
                message=f"{row['name']!r} names an event that the public tables call {' or '.join(sorted(map(repr, elsewhere)))}",
            )


@check
def national_threat_levels_tile_the_window(tables: Tables) -> Iterator[Problem]:
    levels = tables["threat_levels"]
    national = levels[levels["scope"] == "national"].sort_values("start_date")
    previous_end = None
    for index, row in national.iterrows():
        if previous_end is not None and row["start_date"] != previous_end:
            yield Problem(
                **_where(tables, "threat_levels", "start_date", _row(levels, index)),
                message=f"national period starts {row['start_date']}, but the previous one ends "
                f"{previous_end}: periods must not leave gaps or overlap",
            )
        if pd.notna(row["end_date"]) and row["end_date"] <= row["start_date"]:
            yield Problem(
                **_where(tables, "threat_levels", "end_date", _row(levels, index)),
                message="period ends before it starts",
            )
        previous_end = row["end_date"]


def validate(data_dir: Path) -> Tables:
    """Validate the data package and return its tables; raise DataError listing every problem."""
    problems = validate_schemas(data_dir)
    if problems:
        raise DataError(problems)
    tables = load_tables(data_dir)
    problems = []
    for rule in CHECKS:
        try:
            problems.extend(rule(tables))
        except MissingRow as missing:  # a row the check reads was deleted
            if missing.problem not in problems:
                problems.append(missing.problem)
    if problems:
        raise DataError(problems)
    return tables

"""Property-based tests of the findings computations (hypothesis).

Whatever counts the tables hold, shares stay within 0–1, parts never exceed their totals, and
no result depends on the order of the rows.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scripts.findings import all_findings
from scripts.ledger import agrees
from scripts.validate import validate

BASE = validate()
SPECS = {spec.id: spec for spec in all_findings()}
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

counts = st.integers(min_value=1, max_value=500)


@st.composite
def incident_tables(draw):
    """The incidents table with random counts (every cell ≥ 1) in a random row order."""
    frame = BASE["incidents"].copy()
    frame["incidents"] = pd.array([draw(counts) for _ in range(len(frame))], dtype="Int64")
    arrested = [draw(st.integers(min_value=n, max_value=n * 5)) for n in frame["incidents"]]
    frame["people_arrested"] = pd.array(
        [a if pd.notna(p) else pd.NA for a, p in zip(arrested, BASE["incidents"]["people_arrested"])], dtype="Int64"
    )
    order = draw(st.permutations(range(len(frame))))
    return frame.iloc[list(order)].reset_index(drop=True)


@st.composite
def network_tables(draw):
    networks = BASE["networks"].copy()
    networks["arrest_action_links"] = pd.array([draw(counts) for _ in range(len(networks))], dtype="Int64")
    doubles = BASE["network_double_links"].copy()
    # A double link can only exist where both networks have that many links.
    caps = networks.set_index("network_id")["arrest_action_links"]
    doubles["arrest_actions"] = pd.array(
        [draw(st.integers(1, int(min(caps[a], caps[b])) // 2 or 1)) for a, b in zip(doubles["network_a"], doubles["network_b"])],
        dtype="Int64",
    )
    networks = networks.iloc[list(draw(st.permutations(range(len(networks)))))].reset_index(drop=True)
    return networks, doubles


def with_tables(**replacements) -> dict[str, pd.DataFrame]:
    tables = dict(BASE)
    tables.update(replacements)
    return tables


def results(tables, section: str) -> dict[str, float]:
    return {id: spec.compute(tables) for id, spec in SPECS.items() if spec.section == section}


@SETTINGS
@given(incident_tables())
def test_overview_shares_are_fractions_and_parts_fit(incidents):
    plots = int(BASE["weapons_targets"].set_index("measure").at["plots", "incidents"])
    # scripts.validate rejects more plots than arrest actions; keep to inputs it accepts.
    assume(incidents.loc[incidents["incident_type"] == "arrest_action", "incidents"].sum() >= plots)
    tables = with_tables(incidents=incidents)
    values = results(tables, "overview")
    for id, value in values.items():
        if SPECS[id].unit == "share":
            assert 0 <= value <= 1, (id, value)
    assert values["linked-arrest-actions"] <= values["arrest-actions-total"]
    assert values["inspired-attacks"] <= values["attacks-total"]
    assert values["arrest-actions-total"] + values["attacks-total"] == values["incidents-total"]
    assert values["inspired-arrest-action-people"] >= values["inspired-arrest-actions"]


@SETTINGS
@given(incident_tables())
def test_overview_does_not_depend_on_row_order(incidents):
    shuffled = incidents.iloc[::-1].reset_index(drop=True)
    assert results(with_tables(incidents=incidents), "overview") == results(with_tables(incidents=shuffled), "overview")


@SETTINGS
@given(network_tables())
def test_network_findings_stay_within_their_totals(tables_pair):
    networks, doubles = tables_pair
    values = results(with_tables(networks=networks, network_double_links=doubles), "networks")
    assert values["network-tied-arrest-actions"] <= values["network-links-total"]
    assert values["part-of-whole-arrest-actions"] <= values["network-tied-arrest-actions"]
    assert 0 <= values["part-of-whole-share"] <= 1
    assert values["named-networks"] == len(networks)
    reversed_ = networks.iloc[::-1].reset_index(drop=True)
    assert values == results(with_tables(networks=reversed_, network_double_links=doubles), "networks")


@SETTINGS
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=10_000))
def test_percent_rounding_agrees_with_itself(part, whole):
    """A share always matches its own half-up rounding, and never a figure one point away."""
    part = min(part, whole)
    share = part / whole
    printed = int(share * 100 + 0.5 + 1e-9) / 100
    assert agrees(share, printed, "percent")
    assert not agrees(share, printed + 0.02, "percent")

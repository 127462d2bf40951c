"""Bad data stops the build with a message naming file, row and column; outputs stay untouched."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import tree_digest

from scripts.build import build
from scripts.datapackage import DataError
from scripts.paths import Layout

REPORT = "data/source/report"
PUBLIC = "data/source/public"


def edit(relpath: str, old: str, new: str) -> Callable[[Layout], None]:
    """A corruption: replace the first occurrence of old by new in one file."""

    def corrupt(layout: Layout) -> None:
        path = layout.root / relpath
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture out of date: {old!r} not in {relpath}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return corrupt


def raw(relpath: str, transform: Callable[[bytes], bytes]) -> Callable[[Layout], None]:
    def corrupt(layout: Layout) -> None:
        path = layout.root / relpath
        path.write_bytes(transform(path.read_bytes()))

    return corrupt


def remove(relpath: str) -> Callable[[Layout], None]:
    return lambda layout: (layout.root / relpath).unlink()


# (name, corruption, fragments the message must contain)
CASES = [
    ("wrong type", edit(f"{REPORT}/incidents.csv", "linked,arrest_action,94", "linked,arrest_action,ninety-four"),
     [f"{REPORT}/incidents.csv", "row 2", "column incidents", "'ninety-four' is not a whole number"]),
    ("missing value", edit(f"{REPORT}/networks.csv", "maaseik-network,Maaseik network,", "maaseik-network,,"),
     [f"{REPORT}/networks.csv", "row 8", "column name", "missing value"]),
    ("unknown key", edit(f"{REPORT}/incidents_by_place.csv", "antwerp,4", "ghent,4"),
     [f"{REPORT}/incidents_by_place.csv", "row 3", "unknown key"]),
    ("duplicate key", edit(f"{REPORT}/networks.csv", "kamikaze-riders,", "the-way-of-life,"),
     [f"{REPORT}/networks.csv", "row 11", "duplicate key"]),
    ("negative count", edit(f"{REPORT}/linked_routes.csv", "deployed_operative,13", "deployed_operative,-13"),
     [f"{REPORT}/linked_routes.csv", "row 3", "column arrest_actions", "negative count"]),
    ("share above one", edit(f"{REPORT}/convict_status.csv", "in_prison,0.35", "in_prison,1.35"),
     [f"{REPORT}/convict_status.csv", "row 2", "column share", "outside 0–1"]),
    ("unknown category", edit(f"{REPORT}/incidents.csv", "inspired,attack,3", "copycat,attack,3"),
     [f"{REPORT}/incidents.csv", "row 5", "column connection", "not one of"]),
    ("part exceeds total", edit(f"{REPORT}/linked_routes.csv", "local_cell,60", "local_cell,71"),
     [f"{REPORT}/linked_routes.csv", "row 2", "column arrest_actions", "exceeds its total 70"]),
    ("Table 1 does not reconcile", edit(f"{REPORT}/networks.csv", "Zerkani network,13", "Zerkani network,14"),
     [f"{REPORT}/networks.csv", "column arrest_action_links", "links minus double links is 57", "56"]),
    ("arrest actions do not sum to 103", edit(f"{REPORT}/incidents.csv", "linked,arrest_action,94", "linked,arrest_action,95"),
     [f"{REPORT}/incidents.csv", "column incidents", "sum of arrest actions is 104", "103"]),
    ("birthplaces do not sum to Belgians", edit(f"{REPORT}/belgian_birthplaces.csv", "Belgium,27", "Belgium,28"),
     [f"{REPORT}/belgian_birthplaces.csv", "column individuals", "62", "61"]),
    ("shares do not add up", edit(f"{REPORT}/convict_status.csv", "sentence_served,0.04", "sentence_served,0.14"),
     [f"{REPORT}/convict_status.csv", "column share", "sum to 1.10"]),
    ("double link to an unmarked network", edit(f"{REPORT}/network_double_links.csv", "paris-cell,brussels-cell", "paris-cell,verviers-cell"),
     [f"{REPORT}/network_double_links.csv", "row 3", "column network_b", "no asterisk"]),
    ("byte-order mark", raw(f"{REPORT}/justice.csv", lambda b: b"\xef\xbb\xbf" + b),
     [f"{REPORT}/justice.csv", "row 1", "byte-order mark"]),
    ("CRLF line ends", raw(f"{REPORT}/coverage.csv", lambda b: b.replace(b"\n", b"\r\n")),
     [f"{REPORT}/coverage.csv", "row 1", "CRLF"]),
    ("not UTF-8", raw(f"{REPORT}/comparisons.csv", lambda b: b.replace("–".encode(), b"\x96", 1)),
     [f"{REPORT}/comparisons.csv", "not valid UTF-8"]),
    ("missing file", remove(f"{REPORT}/tatp_mentions.csv"),
     [f"{REPORT}/tatp_mentions.csv", "missing"]),
    ("attack list disagrees with the report", edit(f"{PUBLIC}/attacks.csv", ",inspired,", ",linked,"),
     [f"{PUBLIC}/attacks.csv", "column connection", "2 linked attacks listed", "counts 1"]),
    ("rejected attack candidate counted as an attack",
     edit(f"{PUBLIC}/attack_identification.csv", "molenbeek-saint-jean,rejected,,", "molenbeek-saint-jean,rejected,2016-10-05-schaerbeek,"),
     [f"{PUBLIC}/attack_identification.csv", "row 4", "column attack_id", "rejected candidate"]),
    ("attack named differently in two tables",
     edit(f"{PUBLIC}/attacks.csv", "Schaerbeek knife attack on police,", "Schaerbeek stabbing,"),
     [f"{PUBLIC}/attack_identification.csv", "row 5", "column name", "differs from attacks"]),
    ("threat-level periods leave a gap", edit(f"{PUBLIC}/threat_levels.csv", "2016-03-24", "2016-03-25"),
     [f"{PUBLIC}/threat_levels.csv", "column start_date", "gaps"]),
    ("more plots than arrest actions", edit(f"{REPORT}/weapons_targets.csv", "plots,18", "plots,180"),
     [f"{REPORT}/weapons_targets.csv", "row 4", "column incidents", "exceeds its total 103"]),
    ("citizenship count above its coverage", edit(f"{REPORT}/coverage.csv", "citizenship,94", "citizenship,60"),
     [f"{REPORT}/citizenship.csv", "column individuals", "more than the 60"]),
    # Hostile text where the schema constrains it: refused, not rendered.
    ("markup in an identifier", edit(f"{REPORT}/networks.csv", "kamikaze-riders,", "<script>window.__pwned=1</script>,"),
     [f"{REPORT}/networks.csv", "row 11", "column network_id", "pattern"]),
    ("javascript: URL for a source", edit("data/source/sources.csv", "https://www.geonames.org/", "javascript:window.__pwned=1"),
     ["data/source/sources.csv", "row 3", "column url", "pattern"]),
    ("quote longer than 400 characters", edit(f"{REPORT}/justice.csv", '"138 verdicts', '"' + "x" * 400 + " 138 verdicts"),
     [f"{REPORT}/justice.csv", "row 2", "column quote", "maxLength"]),
    ("escape sequence in a label", edit(f"{REPORT}/networks.csv", "Kamikaze Riders", "Kamikaze \x1b[31mRiders"),
     [f"{REPORT}/networks.csv", "row 11", "column name", "U+001B"]),
    ("NUL byte in a label", edit(f"{PUBLIC}/places.csv", "Brussels Airport", "Brussels\x00Airport"),
     [f"{PUBLIC}/places.csv", "row 4", "column name", "U+0000"]),
    ("C1 control character in a note", edit(f"{PUBLIC}/attacks.csv", "The attacker was shot", "The attacker\x85was shot"),
     [f"{PUBLIC}/attacks.csv", "row 3", "column note", "U+0085"]),
]


@pytest.fixture
def previously_built(built_ledger: Layout, tmp_path) -> Layout:
    """A copy of a tree whose ledger was built: the state a maintainer's next edit starts from."""
    shutil.copytree(built_ledger.root, tmp_path / "tree", symlinks=True)
    return Layout(tmp_path / "tree")


@pytest.mark.parametrize(("name", "corrupt", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_named_and_leaves_outputs_untouched(previously_built: Layout, name, corrupt, fragments, bad_input):
    before = tree_digest(previously_built.derived)
    corrupt(previously_built)
    with pytest.raises(DataError) as caught:
        build(previously_built, charts=False, site=False)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{name}: {fragment!r} not in:\n{message}"
    assert tree_digest(previously_built.derived) == before
    assert not list(Path(previously_built.root).glob(".build-staging-*"))
    bad_input(f"data: {name}", "rejected")


def test_there_are_at_least_fifteen_distinct_corruptions():
    assert len({name for name, _, _ in CASES}) >= 15


def test_clean_data_validates(project: Layout):
    from scripts.validate import validate

    tables = validate(project.data)
    assert {"incidents", "networks", "claims", "attacks", "threat_levels"} <= set(tables)

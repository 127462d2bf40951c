"""Networks: how linked arrest actions connect to the group and to named networks."""

from scripts.findings import cell, finding, incidents

ROUTES = ("linked_routes", "denominators")
TABLE1 = ("networks", "network_double_links")


def _route(t, route):
    return int(cell(t["linked_routes"], "route", route, "arrest_actions"))


def _with_route_detail(t):
    return int(cell(t["denominators"], "denominator_id", "linked-with-route-detail", "value"))


def network_tied_arrest_actions(t) -> int:
    """Table 1 counts an action tied to two networks twice; subtract the double links once."""
    return int(t["networks"]["arrest_action_links"].sum() - t["network_double_links"]["arrest_actions"].sum())


def part_of_whole_arrest_actions(t) -> int:
    networks = t["networks"]
    whole = set(networks.loc[networks["part_of_whole"], "network_id"])
    links = int(networks.loc[networks["part_of_whole"], "arrest_action_links"].sum())
    doubles = t["network_double_links"]
    inside = doubles["network_a"].isin(whole) & doubles["network_b"].isin(whole)
    return links - int(doubles.loc[inside, "arrest_actions"].sum())


@finding("networks", "route-detail-arrest-actions", basis="transcribed", unit="arrest_actions", inputs=ROUTES,
         statement="Linked arrest actions with enough detail to tell a local cell from a deployed operative",
         formula="transcribed total (denominators: linked-with-route-detail)")
def _(t):
    return _with_route_detail(t)


@finding("networks", "local-cell-arrest-actions", basis="transcribed", unit="arrest_actions", inputs=ROUTES,
         statement="Linked arrest actions connected to the group through a local cell",
         formula="linked_routes: local_cell")
def _(t):
    return _route(t, "local_cell")


@finding("networks", "local-cell-share", unit="share", inputs=ROUTES, digits=1,
         statement="Share of classifiable linked arrest actions connected through a local cell",
         formula="local-cell arrest actions / arrest actions with route detail",
         explanation="The arrest actions linked through a local cell, divided by the linked arrest actions whose route could be told.")
def _(t):
    return _route(t, "local_cell") / _with_route_detail(t)


@finding("networks", "deployed-operative-arrest-actions", basis="transcribed", unit="arrest_actions", inputs=ROUTES,
         statement="Linked arrest actions connected to an operative deployed from Syria or Iraq",
         formula="linked_routes: deployed_operative")
def _(t):
    return _route(t, "deployed_operative")


@finding("networks", "deployed-operative-share", unit="share", inputs=ROUTES, digits=1,
         note="Shown with one decimal, as the report gives the local-cell share ({local-cell-share}); the report words this one as \"a little more than 18%\".",
         statement="Share of classifiable linked arrest actions connected to a deployed operative",
         formula="deployed-operative arrest actions / arrest actions with route detail",
         explanation="The arrest actions linked to a deployed operative, divided by the linked arrest actions whose route could be told.")
def _(t):
    return _route(t, "deployed_operative") / _with_route_detail(t)


@finding("networks", "route-overlap-arrest-actions", note="Our inference: {local-cell-arrest-actions} local-cell and {deployed-operative-arrest-actions} deployed-operative arrest actions add up to more than the {route-detail-arrest-actions} that could be classified, so {route-overlap-arrest-actions} were counted under both routes, or the report's figures contain a slip. The report describes no such overlap.", bound="lower", unit="arrest_actions", inputs=ROUTES,
         statement="Arrest actions counted under both routes (implied by the report's figures)",
         formula="local cell + deployed operative − arrest actions with route detail",
         explanation="Our inference: the local-cell and the deployed-operative arrest actions added together come to more than the arrest actions whose route could be told; the difference must have been counted under both routes, unless the report's figures contain a slip.")
def _(t):
    return _route(t, "local_cell") + _route(t, "deployed_operative") - _with_route_detail(t)


@finding("networks", "named-networks", bound="lower", unit="networks", inputs=TABLE1,
         statement="Named Islamic State networks in Belgium listed in Table 1",
         formula="rows of Table 1",
         explanation="The networks listed in the report's Table 1, counted.")
def _(t):
    return len(t["networks"])


@finding("networks", "network-links-total", unit="links", inputs=TABLE1,
         statement="Links between arrest actions and networks in Table 1",
         formula="sum of Table 1's arrest-action counts",
         explanation="Our figure: the links to arrest actions in Table 1, added up over its networks. Table 1 counts links, not arrest actions.")
def _(t):
    return int(t["networks"]["arrest_action_links"].sum())


@finding("networks", "network-double-links", note="Table 1's {network-links-total} links minus the {network-tied-arrest-actions} network-tied arrest actions leaves {network-double-links} actions tied to two networks, the two named under the table. So the Key Findings' networks \"most of which overlapped with one another\" cannot mean many shared arrest actions; the report does not say what the overlap consists of.", basis="transcribed", unit="arrest_actions", inputs=TABLE1,
         statement="Arrest actions tied to two networks at once",
         formula="sum of network_double_links")
def _(t):
    return int(t["network_double_links"]["arrest_actions"].sum())


@finding("networks", "network-tied-arrest-actions", unit="arrest_actions", inputs=TABLE1,
         statement="Linked arrest actions tied to at least one named network",
         formula="Table 1 links − arrest actions tied to two networks",
         explanation="The links in Table 1, less one for each arrest action that the note under the table ties to two networks.")
def _(t):
    return network_tied_arrest_actions(t)


@finding("networks", "network-tied-share-of-linked", unit="share", inputs=TABLE1 + ("incidents",),
         statement="Share of linked arrest actions tied to a named network",
         formula="network-tied arrest actions / linked arrest actions",
         explanation="The network-tied arrest actions divided by all linked arrest actions.")
def _(t):
    return network_tied_arrest_actions(t) / incidents(t, "linked", "arrest_action")


@finding("networks", "part-of-whole-networks", unit="networks", inputs=TABLE1,
         statement="Networks the report considers parts of a whole (Zerkani network; Paris, Brussels, Verviers and Argenteuil cells)",
         formula="rows of Table 1 flagged part_of_whole",
         explanation="The entities of Table 1 that the report calls parts of a whole, counted.")
def _(t):
    return int(t["networks"]["part_of_whole"].sum())


@finding("networks", "part-of-whole-arrest-actions", unit="arrest_actions", inputs=TABLE1,
         statement="Arrest actions tied to the networks the report considers parts of a whole",
         formula="their Table 1 links − double links between two of them",
         explanation="Our figure: those entities' links in Table 1, less one for each arrest action tied to two of them.")
def _(t):
    return part_of_whole_arrest_actions(t)


@finding("networks", "part-of-whole-share", unit="share", inputs=TABLE1,
         statement="Share of network-tied arrest actions tied to the networks the report considers parts of a whole",
         formula="part-of-whole arrest actions / network-tied arrest actions",
         explanation="Our figure: those arrest actions divided by all network-tied arrest actions.")
def _(t):
    return part_of_whole_arrest_actions(t) / network_tied_arrest_actions(t)


@finding("networks", "shariah4belgium-fighters", basis="transcribed", bound="lower", unit="people", inputs=("foreign_fighters",),
         statement="People Shariah4Belgium sent to the Syrian-Iraqi conflict (lower bound)",
         formula="transcribed (foreign_fighters: sent_by_shariah4belgium)")
def _(t):
    return int(cell(t["foreign_fighters"], "measure", "sent_by_shariah4belgium", "value"))


@finding("networks", "zerkani-fighters", basis="transcribed", unit="people", inputs=("foreign_fighters",),
         statement="Foreign fighters recruited by the Zerkani network",
         formula="transcribed (foreign_fighters: recruited_by_zerkani_network)")
def _(t):
    return int(cell(t["foreign_fighters"], "measure", "recruited_by_zerkani_network", "value"))


@finding("networks", "belgium-world-rank", basis="transcribed", unit="rank", inputs=("foreign_fighters",),
         statement="Belgium's world rank for Islamic State foreign fighters per capita (2016 study)",
         formula="transcribed (foreign_fighters: belgium_world_rank_per_capita)")
def _(t):
    return int(cell(t["foreign_fighters"], "measure", "belgium_world_rank_per_capita", "value"))


@finding("networks", "european-countries-ranked-higher", basis="transcribed", unit="countries", inputs=("foreign_fighters",),
         statement="European countries with more foreign fighters per capita than Belgium",
         formula="transcribed (foreign_fighters: european_countries_ranked_higher)")
def _(t):
    return int(cell(t["foreign_fighters"], "measure", "european_countries_ranked_higher", "value"))


def _table_1_row(network_id: str):
    def compute(t):
        return int(cell(t["networks"], "network_id", network_id, "arrest_action_links"))
    return compute


# One row per line of Table 1: the report prints each count, so each is a ledger row.
for _network_id, _name in (
    ("zerkani-network", "the Zerkani network"), ("paris-cell", "the Paris cell"),
    ("brussels-cell", "the Brussels cell"), ("verviers-cell", "the Verviers cell"),
    ("jumet-cell", "the Jumet cell"), ("ostend-chechen-network", "the Ostend Chechen network"),
    ("maaseik-network", "the Maaseik network"), ("argenteuil-cell", "the Argenteuil cell"),
    ("the-way-of-life", "The Way of Life"), ("kamikaze-riders", "Kamikaze Riders"),
):
    finding("networks", f"table-1-links-{_network_id}", unit="links", inputs=TABLE1, basis="transcribed",
            statement=f"Links between arrest actions and {_name} (Table 1)",
            formula=f"networks: {_network_id}, arrest_action_links")(_table_1_row(_network_id))

"""Threat levels and the justice response."""

import pandas as pd

from scripts.findings import cell, finding, transcribed

LEVELS = ("threat_levels",)
WINDOW_END = "2018-01-31"  # the site's timeline closes with the January 2018 decision


def _national(t) -> pd.DataFrame:
    frame = t["threat_levels"]
    return frame[frame["scope"] == "national"].sort_values("start_date")


def _days(row) -> int:
    end = row["end_date"] if pd.notna(row["end_date"]) else WINDOW_END
    return (pd.Timestamp(end) - pd.Timestamp(row["start_date"])).days


def _justice(t, measure):
    return float(cell(t["justice"], "measure", measure, "value"))


def _shares_added(t, statuses: tuple[str, ...] | None = None) -> float:
    """Convict shares added up. The printed shares are rounded, so a sum can pass 1 by the
    rounding margin the validator allows; a share of people cannot."""
    frame = t["convict_status"]
    if statuses is not None:
        frame = frame[frame["status"].isin(statuses)]
    return min(1.0, float(frame["share"].sum()))


def _convicts(t, status):
    return float(cell(t["convict_status"], "status", status, "share"))


@finding("threat_levels", "threat-level-lowered-to", note="From the public record of the national threat level (OCAM/OCAD), not from the report's data.", unit="level", inputs=LEVELS,
         statement="National threat level after the January 2018 decision",
         formula="level of the latest national period",
         explanation="The national threat level in the latest period of our timeline, built from public sources.")
def _(t):
    return int(_national(t)["level"].iloc[-1])


@finding("threat_levels", "threat-level-peak", note="From the public record of the national threat level (OCAM/OCAD), not from the report's data.", unit="level", inputs=LEVELS,
         statement="Highest national threat level in the period",
         formula="maximum level over national periods",
         explanation="The highest national threat level in our timeline, built from public sources.")
def _(t):
    return int(_national(t)["level"].max())


@finding("threat_levels", "level-four-national-days", unit="days", inputs=LEVELS,
         statement="Days the whole country spent at level four",
         formula="sum of days of national periods at level 4 (end date exclusive)",
         explanation="Our figure: the days the whole country spent at level four, added up over the periods of our timeline, each counted from its first day up to the day the level changed.")
def _(t):
    national = _national(t)
    return int(sum(_days(row) for _, row in national[national["level"] == 4].iterrows()))


@finding("threat_levels", "level-three-or-more-days", unit="days", inputs=LEVELS,
         statement="Days the country spent at level three or higher up to 31 January 2018",
         formula="sum of days of national periods at level ≥ 3 (end date exclusive)",
         explanation="Our figure: the days the whole country spent at level three or higher, added up over the periods of our timeline, each counted from its first day up to the day the level changed.")
def _(t):
    national = _national(t)
    return int(sum(_days(row) for _, row in national[national["level"] >= 3].iterrows()))


@finding("threat_levels", "threat-level-changes", unit="changes", inputs=LEVELS,
         statement="Changes of the national threat level from June 2014 to January 2018",
         formula="national periods − 1",
         explanation="Our figure: the periods in our timeline of the national threat level, less one; each new period is one change.")
def _(t):
    return len(_national(t)) - 1


@finding("threat_levels", "army-deployment-cost", basis="transcribed", unit="eur", inputs=("security_costs",),
         statement="Extra cost of deploying the army to guard public places",
         formula="transcribed (security_costs: army_deployment_extra_cost)")
def _(t):
    return float(cell(t["security_costs"], "measure", "army_deployment_extra_cost", "value"))


@finding("threat_levels", "verdicts-2016", basis="transcribed", unit="verdicts", inputs=("justice",),
         statement="Terrorism verdicts delivered in Belgium in 2016, all jihadi-linked (Europol)",
         formula="justice: verdicts_2016")
def _(t):
    return int(_justice(t, "verdicts_2016"))


@finding("threat_levels", "convictions-2016", basis="transcribed", unit="verdicts", inputs=("justice",),
         statement="Convictions among the 2016 verdicts", formula="justice: convictions_2016")
def _(t):
    return int(_justice(t, "convictions_2016"))


@finding("threat_levels", "acquittals-2016", unit="verdicts", inputs=("justice",),
         statement="Acquittals among the 2016 terrorism verdicts (verdicts minus convictions)", formula="verdicts − convictions",
         explanation="Our figure: the verdicts of 2016 less the convictions, from the Europol figures the report cites.")
def _(t):
    return int(_justice(t, "verdicts_2016") - _justice(t, "convictions_2016"))


@finding("threat_levels", "acquittal-rate-2016", unit="share", inputs=("justice",),
         statement="Acquittal rate of the 2016 terrorism verdicts",
         formula="(verdicts − convictions) / verdicts",
         explanation="The verdicts of 2016 less the convictions, divided by the verdicts (the Europol figures the report cites).")
def _(t):
    verdicts = _justice(t, "verdicts_2016")
    return (verdicts - _justice(t, "convictions_2016")) / verdicts


@finding("threat_levels", "average-sentence-years", basis="transcribed", unit="years", inputs=("justice",),
         statement="Average terrorism sentence handed down by Belgian courts in 2016",
         formula="transcribed (justice: average_sentence_years_2016)")
def _(t):
    return int(_justice(t, "average_sentence_years_2016"))


@finding("threat_levels", "convicts-in-prison-share", basis="transcribed", unit="share", inputs=("convict_status",),
         statement="Share of people convicted of terrorist offences since August 2015 still in prison in July 2017",
         formula="transcribed (convict_status: in_prison)")
def _(t):
    return _convicts(t, "in_prison")


@finding("threat_levels", "convicts-in-absentia-share", basis="transcribed", unit="share", inputs=("convict_status",),
         statement="Share of those convicted who had never been in reach of law enforcement and were convicted in absentia (July 2017)",
         formula="transcribed (convict_status: convicted_in_absentia)")
def _(t):
    return _convicts(t, "convicted_in_absentia")


@finding("threat_levels", "convicts-sentence-served-share", basis="transcribed", unit="share", inputs=("convict_status",),
         statement="Share of those convicted who had already served their sentence in July 2017",
         formula="transcribed (convict_status: sentence_served)")
def _(t):
    return _convicts(t, "sentence_served")


@finding("threat_levels", "convicts-conditional-release-share", basis="transcribed", unit="share", inputs=("convict_status",),
         statement="Share of those convicted who had been released conditionally by July 2017",
         formula="transcribed (convict_status: conditional_release)")
def _(t):
    return _convicts(t, "conditional_release")


@finding("threat_levels", "convict-status-shares-total", unit="share", inputs=("convict_status",),
         statement="The four convict shares the report gives for July 2017, added up (a sum check)",
         formula="in prison + sentence served + conditional release + convicted in absentia",
         explanation="Our figure: the report's shares of convicts in prison, released after serving their sentence, on conditional release and convicted in absentia, added up.")
def _(t):
    return _shares_added(t)


@finding("threat_levels", "convicts-released-share", unit="share", inputs=("convict_status",),
         statement="Share of those convicted who had served their sentence or been released conditionally by July 2017",
         formula="sentence served + conditional release",
         explanation="Our figure: the report's shares of convicts who had served their sentence and who were on conditional release, added up.")
def _(t):
    return _shares_added(t, ("sentence_served", "conditional_release"))


@finding("threat_levels", "convicts-not-in-prison-share", unit="share", inputs=("convict_status",),
         statement="Share of those convicted who were not in prison in July 2017",
         formula="sentence served + conditional release + convicted in absentia",
         explanation="Our figure: the report's shares of convicts who had served their sentence, were on conditional release or were convicted in absentia, added up.")
def _(t):
    return _shares_added(t, ("sentence_served", "conditional_release", "convicted_in_absentia"))


@finding("threat_levels", "returnees-free", basis="transcribed", bound="lower", unit="people", inputs=("foreign_fighters",),
         statement="Returned foreign fighters free in Belgium, the Netherlands, Germany and France combined (lower bound)",
         formula="transcribed (foreign_fighters: returnees_free_be_nl_de_fr)")
def _(t):
    return int(cell(t["foreign_fighters"], "measure", "returnees_free_be_nl_de_fr", "value"))


def _france(t, year):
    frame = t["comparisons"]
    rows = frame[(frame["country"] == "France") & (frame["period"] == year)]
    return int(rows["value"].iloc[0])


@finding("threat_levels", "france-foiled-plots-2016", basis="transcribed", unit="plots", inputs=("comparisons",),
         statement="Plots foiled in France in 2016", formula="transcribed (comparisons: France 2016)")
def _(t):
    return _france(t, "2016")


@finding("threat_levels", "france-foiled-plots-2017", basis="transcribed", unit="plots", inputs=("comparisons",),
         statement="Plots foiled in France in 2017", formula="transcribed (comparisons: France 2017)")
def _(t):
    return _france(t, "2017")


@finding("threat_levels", "returnee-return-share", unit="share", inputs=("claims",), basis="transcribed",
         statement="Share of departed foreign fighters whose return the report calls an extremely dangerous contingent (a hypothetical)",
         formula="transcribed from the report's conclusion (\"if even 10% ... return\")")
def _(t):
    return transcribed(t, "returnee-return-share")


@finding("threat_levels", "threat-level-scale-levels", unit="level", inputs=("threat_level_scale",),
         statement="Levels on Belgium's threat scale", formula="rows of threat_level_scale",
         explanation="The levels of the national threat scale, counted.")
def _(t):
    return len(t["threat_level_scale"])

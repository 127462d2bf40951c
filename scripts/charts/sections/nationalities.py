"""Charts for the "Nationalities" section of the site: citizenship, Moroccan links, data coverage."""

from __future__ import annotations

import altair as alt

from scripts.charts import _common as c
from scripts.charts.context import ChartContext, format_value
from scripts.charts.describe import from_ledger, list_phrase
from scripts.charts.registry import chart

NATIONALITIES = "nationalities section"  # its heading is not in the text available to us (Methods)

_UNKNOWN = "unknown"
_OTHER_CITIZENS = "Not Belgian citizens"


def _other_countries(ctx: ChartContext) -> list[str]:
    citizenship = ctx.table("citizenship")
    belgium = c.table_row(ctx, "citizenship", ("country_code",), "BE")
    others = citizenship[citizenship["country_code"] != belgium["country_code"]]
    return sorted(str(name) for name in others["country"])


@chart(
    id="nationalities-citizenship",
    section="nationalities",
    title="In the report's data, most individuals whose citizenship is known were Belgian citizens; the others held a range of other citizenships",
    subtitle="Individuals in the report's dataset whose citizenship is known",
    source=c.report_source(f"{NATIONALITIES}, footnotes 23–24", "Conclusion"),
    description=lambda ctx: (
        f"Of the {ctx.fmt('individuals-total')} individuals in the dataset, {ctx.fmt('citizenship-known')} have a "
        f"known citizenship: {ctx.fmt('belgian-citizens')} ({ctx.fmt('belgian-citizen-share')}) were Belgian "
        f"citizens and {ctx.fmt('non-belgian-citizens')} (derived) were not. The report lists "
        f"{ctx.fmt('other-nationalities')} other countries of citizenship — {list_phrase(_other_countries(ctx))} — "
        f"which may include the second citizenship of the {ctx.fmt('belgian-dual-citizens')} Belgian dual citizens "
        f"(footnote 24); it gives no count for any one of them."
    ),
)
def citizenship(ctx: ChartContext):
    belgium = c.table_row(ctx, "citizenship", ("country_code",), "BE")
    others = _other_countries(ctx)
    total = c.finding(ctx, "citizenship-known", group="Known citizenship", countries="")
    belgian = {
        **c.finding(ctx, "belgian-citizens", group="Belgian citizens", countries=str(belgium["country"])),
        **c.from_table("citizenship", belgium, ("country_code",), "individuals"),
    }
    other = c.finding(ctx, "non-belgian-citizens", group=_OTHER_CITIZENS, countries=", ".join(others))
    # The share the ledger gives the Belgian citizens, written beside their count.
    belgian["share_display"] = ctx.fmt("belgian-citizen-share")
    for row, role in ((total, "neutral"), (belgian, "reported"), (other, "reported")):
        row["role"] = c.role_for(row, role)
    data = c.frame([total, belgian, other])

    figure = c.labelled_bars(
        data,
        category="group",
        title=f"Individuals with known citizenship ({ctx.fmt('citizenship-known')} of {ctx.fmt('individuals-total')})",
        whole=ctx.value("citizenship-known"),
        label=f"({c.FINDING_LABEL}) + (datum.share_display ? ' (' + datum.share_display + ')' : '')",
        tooltip=[
            alt.Tooltip("group:N", title="Group"),
            alt.Tooltip("value:Q", title="Individuals"),
            alt.Tooltip("countries:N", title="Countries"),
            alt.Tooltip("status:N", title="Ledger status"),
        ],
    ).properties(
        title=c.bottom_note(
            f"The report lists {ctx.fmt('other-nationalities')} other countries of citizenship: {list_phrase(others)}; "
            f"they may include the second citizenship of Belgian dual citizens (footnote 24). The report gives no "
            f"count for any one of them. Grey: the whole; pale, dashed violet: derived (our computation)."
        ),
    )
    return figure, data


# The context the editorial guide's Sensitivity rule asks for beside any Moroccan link: the
# report's comparison with the Belgian-Turkish community and its finding of no operational links.
MOROCCAN_CONTEXT = (
    "The report adds that people of Belgian-Turkish heritage, from a community “only slightly smaller than the "
    "Belgian-Moroccan”, are “completely absent in our dataset”, and that “we haven’t seen evidence yet of real "
    "operational links between Belgian networks and Islamic State cells on Moroccan soil.”"
)
PRINTED_SHARE = "moroccan-linked-share"  # the ledger finding that checks the report's printed share


def _printed_share(ctx: ChartContext) -> str:
    return format_value(float(ctx.finding("moroccan-linked-share")["reported_value"]), "share")


@chart(
    id="nationalities-moroccan-links",
    section="nationalities",
    title="The share of individuals with a Moroccan link that the report prints is not their share of all individuals in its dataset",
    subtitle="Individuals with a link to Morocco: the share the report prints, and their share of everyone in its dataset",
    source=c.report_source("Key Findings", NATIONALITIES),
    description=lambda ctx: (
        f"{ctx.fmt('moroccan-linked')} individuals were born in Morocco, held Moroccan citizenship or had family "
        f"roots there, according to the report; {ctx.fmt('moroccan-linked-belgian-citizens')} of them were Belgian "
        f"citizens. The report prints this as {_printed_share(ctx)} “of the total” without saying of which total; "
        f"{ctx.fmt('moroccan-linked')} of all {ctx.fmt('individuals-total')} individuals is "
        f"{ctx.fmt('moroccan-linked-share')} (our computation). " + MOROCCAN_CONTEXT
    ),
)
def moroccan_links(ctx: ChartContext):
    everyone = ctx.value("individuals-total")
    checked = ctx.finding(PRINTED_SHARE)
    linked = c.finding(ctx, "moroccan-linked", group="All with a Moroccan link", role="reported")
    belgian = c.finding(ctx, "moroccan-linked-belgian-citizens", group="Of whom Belgian citizens", role="reported")
    for row in (linked, belgian):
        row["of"] = everyone
        row["share_of_all"] = round(row["value"] / everyone, 6)
    # Our share (38 of 135) is written on the count it is a share of, and linked to its finding.
    linked["share_of_all"] = ctx.value(PRINTED_SHARE)
    linked["share_display"] = ctx.fmt(PRINTED_SHARE)
    linked["share_finding_id"] = PRINTED_SHARE
    # The report's own figure, as it prints it (claims.csv); the finding that checks it says mismatch.
    claim = c.table_row(ctx, "claims", ("claim_id",), PRINTED_SHARE)
    printed = {
        "group": "The share as printed in the report (of what, unsaid)",
        "role": "report-figure",
        "share_of_all": float(claim["reported_value"]),
        "reported_value": float(claim["reported_value"]),
        "unit": "share",
        "status": str(checked["status"]),
        "checked_by": PRINTED_SHARE,
        **c.from_table("claims", claim, ("claim_id",), "reported_value"),
    }
    data = c.frame([linked, belgian, printed])
    # "38 of 135 = 28%" for a count, "33% (mismatch)" for the printed share.
    label = (
        "isValid(datum.of) ? datum.display + ' of ' + format(datum.of, ',')"
        " + (datum.share_display ? ' = ' + datum.share_display : '')"
        " : format(datum.reported_value, '.0%') + ' (' + datum.status + ')'"
    )

    base = alt.Chart(data).transform_calculate(label=label).encode(
        y=c.band_y("group:N", data["group"]),
        x=c.share_x("share_of_all:Q", c.note(
            f"Share of all {ctx.fmt('individuals-total')} individuals (the printed {_printed_share(ctx)}: "
            f"the report does not say of what)", 60
        )),
        tooltip=[
            alt.Tooltip("group:N", title="Group"),
            alt.Tooltip("value:Q", title="Value"),
            alt.Tooltip("unit:N", title="Unit"),
            alt.Tooltip("share_of_all:Q", title=f"Share (of {ctx.fmt('individuals-total')} for the counts)", format=".1%"),
            alt.Tooltip("status:N", title="Ledger status"),
        ],
    )
    printed_row = alt.FieldEqualPredicate(field="checked_by", equal=PRINTED_SHARE)
    counted = base.transform_filter({"not": printed_row}).mark_bar(size=c.BAR_SIZE, color=c.REPORTED)
    # Hollow: a printed figure, not a count the chart can draw from the data.
    as_printed = base.transform_filter(printed_row).mark_bar(
        size=c.BAR_SIZE, fill=None, stroke=c.REPORT_FIGURE, strokeWidth=2, strokeDash=c.DERIVED_DASH
    )
    labels = base.mark_text(align="left", dx=5, baseline="middle", fontSize=c.LABEL_SIZE, fontWeight="bold").encode(
        text="label:N"
    )
    figure = alt.layer(counted, as_printed, c.category_labels(base, "group:N"), labels).properties(
        width="container",
        height=c.step_height(len(data), c.BAR_STEP),
        title=c.bottom_note(
            f"The ledger marks the printed share a mismatch: {ctx.fmt('moroccan-linked')} of all "
            f"{ctx.fmt('individuals-total')} individuals is {ctx.fmt('moroccan-linked-share')}, not "
            f"{_printed_share(ctx)}; the report does not say what its {_printed_share(ctx)} is a share of. "
            f"Hollow amber bar: the report's printed figure."
        ),
    )
    return figure, data


_BIRTHPLACE_FINDINGS = {"Belgium": "born-in-belgium", "Morocco": "born-in-morocco", "Lebanon": "born-in-lebanon",
                        "unknown": "birthplace-unknown"}


@chart(
    id="nationalities-belgian-birthplaces",
    section="nationalities",
    title="In the report's data, most Belgian citizens with a known birthplace were born in Belgium",
    subtitle="Belgian citizens in the report's dataset, by place of birth",
    source=c.report_source(f"{NATIONALITIES}, footnote 25"),
    description=lambda ctx: (
        f"Of the {ctx.fmt('belgian-citizens')} Belgian citizens in the dataset, {ctx.fmt('born-in-belgium')} "
        f"({ctx.fmt('born-in-belgium-share')}) were born in Belgium"
        + "".join(
            f", {ctx.fmt(_BIRTHPLACE_FINDINGS[row['birthplace']]) if row['birthplace'] in _BIRTHPLACE_FINDINGS else int(row['individuals'])}"
            f" in {row['birthplace']}"
            for _, row in ctx.table("belgian_birthplaces").iterrows()
            if row["birthplace"] not in ("Belgium", _UNKNOWN)
        )
        + f"; for {ctx.fmt('birthplace-unknown')} the place of birth could not be identified."
    ),
)
def belgian_birthplaces(ctx: ChartContext):
    table = ctx.table("belgian_birthplaces")
    unknown = table["birthplace"] == _UNKNOWN
    ordered = (
        table.assign(_unknown=unknown, _neg=-table["individuals"])
        .sort_values(["_unknown", "_neg", "birthplace"], kind="stable")
        .drop(columns=["_unknown", "_neg"])
    )
    rows = []
    for _, place in ordered.iterrows():
        name = str(place["birthplace"])
        is_unknown = name == _UNKNOWN
        columns = {
            "birthplace": "Not identified" if is_unknown else f"Born in {name}",
            "role": "neutral" if is_unknown else "reported",
        }
        finding_id = _BIRTHPLACE_FINDINGS.get(name)
        row = c.finding(ctx, finding_id, **columns) if finding_id else columns
        row["role"] = c.role_for(row, row["role"])
        row.update(c.from_table("belgian_birthplaces", place, ("birthplace",), "individuals"))
        rows.append(row)
    data = c.frame(rows)
    figure = c.labelled_bars(
        data,
        category="birthplace",
        title=f"Belgian citizens (all {ctx.fmt('belgian-citizens')})",
        whole=ctx.value("belgian-citizens"),
        tooltip=[
            alt.Tooltip("birthplace:N", title="Birthplace"),
            alt.Tooltip("value:Q", title="Belgian citizens"),
        ],
    )
    return figure, data


_ATTRIBUTES = {
    "citizenship": ("Citizenship known", "citizenship-known"),
    "heritage": ("Heritage known", "heritage-known"),
    "birthplace": ("Place of birth known", "birthplace-known"),
    "all_three": ("All three known", "all-three-attributes-known"),
}


@chart(
    id="nationalities-data-coverage",
    section="nationalities",
    title="For many individuals, the report's dataset lacks at least one of citizenship, heritage and birthplace",
    subtitle="Individuals in the report's dataset for whom each attribute is known",
    source=c.report_source(NATIONALITIES),
    description=from_ledger(
        "Of the {individuals-total} individuals in the dataset, citizenship is known for {citizenship-known} "
        "({citizenship-coverage-share}, our computation), heritage for {heritage-known}, place of birth for {birthplace-known}, "
        "and all three for only {all-three-attributes-known}."
    ),
)
def data_coverage(ctx: ChartContext):
    everyone = ctx.value("individuals-total")
    rows = []
    for _, attribute in ctx.table("coverage").iterrows():
        key = str(attribute["attribute"])
        name, finding_id = _ATTRIBUTES.get(key, (key.replace("_", " ").capitalize() + " known", None))
        columns = {"attribute": name, "role": "reported", "of": everyone}
        row = c.finding(ctx, finding_id, **columns) if finding_id else columns
        row.update(c.from_table("coverage", attribute, ("attribute",), "individuals_with_data"))
        row["role"] = c.role_for(row, "reported")
        rows.append(row)
    data = c.frame(rows)
    figure = c.labelled_bars(
        data,
        category="attribute",
        title=f"Individuals (of {ctx.fmt('individuals-total')} in the dataset)",
        whole=everyone,
        track=True,
        label="(datum.display ? datum.display : format(datum.value, ',')) + ' of ' + format(datum.of, ',')",
        tooltip=[
            alt.Tooltip("attribute:N", title="Attribute"),
            alt.Tooltip("value:Q", title="Individuals with data"),
            alt.Tooltip("of:Q", title="Of"),
        ],
    ).properties(
        title=c.bottom_note("The pale track is everyone in the dataset; the bar, those with the attribute recorded."),
    )
    return figure, data

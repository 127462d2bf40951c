"""Charts for the "Nationalities" section of the site: citizenship, Moroccan links, data coverage."""

from __future__ import annotations

import altair as alt

from scripts.charts import _common as c
from scripts.charts.context import ChartContext, format_value
from scripts.charts.describe import from_ledger, list_phrase
from scripts.charts.registry import chart

NATIONALITIES = "nationalities section (its heading is missing from the source text)"

_TOTAL = "total"
_PART = "part"
_UNKNOWN = "unknown"
_COLOURS = alt.Scale(domain=[_TOTAL, _PART, _UNKNOWN], range=[c.OTHER, c.BAR, c.OTHER])


def _labelled_bars(data, *, category: str, x_title: str, domain_max: float, tooltip: list) -> alt.LayerChart:
    """Bars with the category written above each: ``value`` long, coloured by ``kind``."""
    base = alt.Chart(data).encode(
        y=c.band_y(f"{category}:N", data[category]),
        x=alt.X("value:Q", title=x_title, scale=alt.Scale(domain=[0, domain_max], nice=False)),
        tooltip=tooltip,
    )
    bars = base.mark_bar(size=c.BAR_SIZE, strokeWidth=1.5).encode(
        color=alt.Color("kind:N", scale=_COLOURS, legend=None),
        stroke=alt.Stroke("kind:N", scale=_COLOURS, legend=None),
        **c.derived_encodings(),
    )
    labels = c.bar_labels(
        base, "label:N", "value", inside_from=domain_max / 2,
        ink=c.inside_ink("kind:N", _COLOURS.domain, _COLOURS.range),
    )
    return alt.layer(bars, c.category_labels(base, f"{category}:N"), labels)


def _other_countries(ctx: ChartContext) -> list[str]:
    citizenship = ctx.table("citizenship")
    belgium = c.table_row(ctx, "citizenship", ("country_code",), "BE")
    others = citizenship[citizenship["country_code"] != belgium["country_code"]]
    return sorted(str(name) for name in others["country"])


@chart(
    id="nationalities-citizenship",
    section="nationalities",
    title="Most people whose citizenship is known were Belgian; the rest came from many countries",
    source=c.report_source(f"{NATIONALITIES}, footnotes 23–24", "Conclusion"),
    description=lambda ctx: (
        f"Of the {ctx.fmt('individuals-total')} individuals in the dataset, {ctx.fmt('citizenship-known')} have a "
        f"known citizenship: {ctx.fmt('belgian-citizens')} ({ctx.fmt('belgian-citizen-share')}) were Belgian "
        f"citizens and {ctx.fmt('non-belgian-citizens')} (derived) citizens of {ctx.fmt('other-nationalities')} "
        f"other countries — {list_phrase(_other_countries(ctx))}. The report gives no count for any one of "
        f"those countries."
    ),
)
def citizenship(ctx: ChartContext):
    belgium = c.table_row(ctx, "citizenship", ("country_code",), "BE")
    others = _other_countries(ctx)
    total = c.finding(ctx, "citizenship-known", group="Known citizenship", kind=_TOTAL, countries="")
    belgian = {
        **c.finding(ctx, "belgian-citizens", group="Belgian citizens", kind=_PART, countries=str(belgium["country"])),
        **c.from_table("citizenship", belgium, ("country_code",), "individuals"),
    }
    other = c.finding(
        ctx,
        "non-belgian-citizens",
        group=f"Citizens of {ctx.fmt('other-nationalities')} other countries",
        kind=_PART,
        countries=", ".join(others),
    )
    total["label"] = str(total["value"])
    belgian["label"] = f"{belgian['value']} ({ctx.fmt('belgian-citizen-share')})"
    other["label"] = f"{other['value']} (derived)"
    data = c.frame([total, belgian, other])

    figure = _labelled_bars(
        data,
        category="group",
        x_title=f"Individuals with known citizenship ({ctx.fmt('citizenship-known')} of {ctx.fmt('individuals-total')})",
        domain_max=ctx.value("citizenship-known"),
        tooltip=[
            alt.Tooltip("group:N", title="Group"),
            alt.Tooltip("value:Q", title="Individuals"),
            alt.Tooltip("countries:N", title="Countries"),
            alt.Tooltip("status:N", title="Ledger status"),
        ],
    ).properties(
        width="container",
        height=alt.Step(c.BAR_STEP),
        title=c.bottom_note(
            f"The {ctx.fmt('other-nationalities')} other countries: {list_phrase(others)}. The report gives no "
            f"count for any one of them."
        ),
    )
    return figure, data


def _printed_share(ctx: ChartContext) -> str:
    return format_value(float(ctx.finding("moroccan-linked-share")["reported_value"]), "share")


@chart(
    id="nationalities-moroccan-links",
    section="nationalities",
    title="The report's share of Moroccan-linked individuals does not match its own count",
    source=c.report_source("Key Findings", NATIONALITIES),
    description=lambda ctx: (
        f"{ctx.fmt('moroccan-linked')} individuals were born in Morocco, held Moroccan citizenship or had family "
        f"roots there; {ctx.fmt('moroccan-linked-belgian-citizens')} of them were Belgian citizens. The report "
        f"prints this as {_printed_share(ctx)} of the total, but {ctx.fmt('moroccan-linked')} of the "
        f"{ctx.fmt('individuals-total')} individuals is {ctx.fmt('moroccan-linked-share')}."
    ),
)
def moroccan_links(ctx: ChartContext):
    everyone = ctx.value("individuals-total")
    printed = float(ctx.finding("moroccan-linked-share")["reported_value"])
    linked = c.finding(ctx, "moroccan-linked", group="All with a Moroccan link")
    belgian = c.finding(ctx, "moroccan-linked-belgian-citizens", group="Of whom Belgian citizens")
    computed = c.finding(ctx, "moroccan-linked-share", group="The share as printed in the report")
    linked["share_of_all"] = round(linked["value"] / everyone, 6)
    belgian["share_of_all"] = round(belgian["value"] / everyone, 6)
    computed["share_of_all"] = round(printed, 6)
    computed["reported_value"] = printed
    linked["label"] = f"{linked['value']} = {ctx.fmt('moroccan-linked-share')} of {ctx.fmt('individuals-total')}"
    belgian["label"] = f"{belgian['value']}"
    computed["label"] = f"{_printed_share(ctx)} ({computed['status']})"
    data = c.frame([linked, belgian, computed])

    base = alt.Chart(data).encode(
        y=c.band_y("group:N", data["group"]),
        x=alt.X(
            "share_of_all:Q",
            title=f"Share of all {ctx.fmt('individuals-total')} individuals",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1], nice=False),
        ),
        tooltip=[
            alt.Tooltip("group:N", title="Group"),
            alt.Tooltip("value:Q", title="Value"),
            alt.Tooltip("unit:N", title="Unit"),
            alt.Tooltip("share_of_all:Q", title=f"Share of {everyone}", format=".1%"),
            alt.Tooltip("status:N", title="Ledger status"),
        ],
    )
    printed_row = alt.FieldEqualPredicate(field="finding_id", equal="moroccan-linked-share")
    counted = base.transform_filter({"not": printed_row}).mark_bar(size=c.BAR_SIZE, color=c.HIGHLIGHT)
    as_printed = base.transform_filter(printed_row).mark_bar(
        size=c.BAR_SIZE, fill=None, stroke=c.OTHER, strokeWidth=2, strokeDash=c.DERIVED_DASH
    )
    labels = base.mark_text(align="left", dx=5, baseline="middle", fontSize=c.LABEL_SIZE, fontWeight="bold").encode(
        text="label:N"
    )
    figure = alt.layer(counted, as_printed, c.category_labels(base, "group:N"), labels).properties(
        width="container",
        height=alt.Step(c.BAR_STEP),
        title=c.bottom_note(
            f"The ledger marks the printed share a mismatch: {ctx.fmt('moroccan-linked')} / "
            f"{ctx.fmt('individuals-total')} rounds to {ctx.fmt('moroccan-linked-share')}, not "
            f"{_printed_share(ctx)}."
        ),
    )
    return figure, data


_BIRTHPLACE_FINDINGS = {"Belgium": "born-in-belgium", "unknown": "birthplace-unknown"}


@chart(
    id="nationalities-belgian-birthplaces",
    section="nationalities",
    title="Most Belgian citizens with a known birthplace were born in Belgium",
    source=c.report_source(f"{NATIONALITIES}, footnote 25"),
    description=lambda ctx: (
        f"Of the {ctx.fmt('belgian-citizens')} Belgian citizens in the dataset, {ctx.fmt('born-in-belgium')} "
        f"({ctx.fmt('born-in-belgium-share')}) were born in Belgium"
        + "".join(
            f", {int(row['individuals'])} in {row['birthplace']}"
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
            "kind": _UNKNOWN if is_unknown else _PART,
        }
        finding_id = _BIRTHPLACE_FINDINGS.get(name)
        row = c.finding(ctx, finding_id, **columns) if finding_id else columns
        row.update(c.from_table("belgian_birthplaces", place, ("birthplace",), "individuals"))
        row["label"] = str(row["value"])
        rows.append(row)
    data = c.frame(rows)
    figure = _labelled_bars(
        data,
        category="birthplace",
        x_title=f"Belgian citizens (all {ctx.fmt('belgian-citizens')})",
        domain_max=ctx.value("belgian-citizens"),
        tooltip=[
            alt.Tooltip("birthplace:N", title="Birthplace"),
            alt.Tooltip("value:Q", title="Belgian citizens"),
        ],
    ).properties(width="container", height=alt.Step(c.BAR_STEP))
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
    title="For many individuals the report does not know citizenship, heritage or birthplace",
    source=c.report_source(NATIONALITIES),
    description=from_ledger(
        "Of the {individuals-total} individuals in the dataset, citizenship is known for {citizenship-known} "
        "({citizenship-coverage-share}), heritage for {heritage-known}, place of birth for {birthplace-known}, "
        "and all three for only {all-three-attributes-known}."
    ),
)
def data_coverage(ctx: ChartContext):
    everyone = ctx.value("individuals-total")
    rows = []
    for _, attribute in ctx.table("coverage").iterrows():
        key = str(attribute["attribute"])
        name, finding_id = _ATTRIBUTES.get(key, (key.replace("_", " ").capitalize() + " known", None))
        columns = {"attribute": name, "kind": _PART, "of": everyone}
        row = c.finding(ctx, finding_id, **columns) if finding_id else columns
        row.update(c.from_table("coverage", attribute, ("attribute",), "individuals_with_data"))
        row["label"] = f"{row['value']} of {everyone}"
        rows.append(row)
    data = c.frame(rows)
    track = (
        alt.Chart(data)
        .mark_bar(size=c.BAR_SIZE, color=c.OTHER, opacity=0.25)
        .encode(y=c.band_y("attribute:N", data["attribute"]), x=alt.X("of:Q"), tooltip=alt.value(None))
    )
    figure = alt.layer(
        track,
        _labelled_bars(
            data,
            category="attribute",
            x_title=f"Individuals (of {ctx.fmt('individuals-total')} in the dataset)",
            domain_max=everyone,
            tooltip=[
                alt.Tooltip("attribute:N", title="Attribute"),
                alt.Tooltip("value:Q", title="Individuals with data"),
                alt.Tooltip("of:Q", title="Of"),
            ],
        ),
    ).properties(
        width="container",
        height=alt.Step(c.BAR_STEP),
        title=c.bottom_note("The pale track is everyone in the dataset; the bar, those with the attribute recorded."),
    )
    return figure, data

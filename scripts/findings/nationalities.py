"""Nationalities: citizenship, birthplace and Moroccan links of the 135 individuals."""

from scripts.findings import cell, finding, transcribed

CIT = ("citizenship",)
GROUPS = ("individual_groups",)


def _citizens(t, code):
    return int(cell(t["citizenship"], "country_code", code, "individuals"))


def _coverage(t, attribute):
    return int(cell(t["coverage"], "attribute", attribute, "individuals_with_data"))


def _group(t, group_id):
    return int(cell(t["individual_groups"], "group_id", group_id, "individuals"))


def _everyone(t):
    return int(cell(t["denominators"], "denominator_id", "all-individuals", "value"))


@finding("nationalities", "citizenship-known", basis="transcribed", unit="people", inputs=("coverage",),
         statement="Individuals whose citizenship is known", formula="coverage: citizenship")
def _(t):
    return _coverage(t, "citizenship")


@finding("nationalities", "heritage-known", basis="transcribed", unit="people", inputs=("coverage",),
         statement="Individuals whose heritage is known", formula="coverage: heritage")
def _(t):
    return _coverage(t, "heritage")


@finding("nationalities", "birthplace-known", basis="transcribed", unit="people", inputs=("coverage",),
         statement="Individuals whose place of birth is known", formula="coverage: birthplace")
def _(t):
    return _coverage(t, "birthplace")


@finding("nationalities", "all-three-attributes-known", basis="transcribed", unit="people", inputs=("coverage",),
         statement="Individuals with citizenship, heritage and birthplace all known",
         formula="coverage: all_three")
def _(t):
    return _coverage(t, "all_three")


@finding("nationalities", "citizenship-coverage-share", unit="share", inputs=("coverage", "denominators"),
         statement="Share of all individuals in the dataset whose citizenship is known",
         formula="citizenship known / all individuals",
         explanation="Our figure: the individuals whose citizenship is known, divided by all individuals in the dataset.")
def _(t):
    return _coverage(t, "citizenship") / _everyone(t)


@finding("nationalities", "countries", note='The Key Findings attach the {countries} countries to all {individuals-total} individuals; the body gives them for the {citizenship-known} whose citizenship is known.', unit="countries", inputs=CIT,
         statement="Countries of citizenship among the individuals", formula="rows of citizenship",
         explanation="The countries of citizenship the report lists, counted.")
def _(t):
    return len(t["citizenship"])


@finding("nationalities", "other-nationalities", unit="countries", inputs=CIT,
         statement="Countries of citizenship other than Belgium", formula="rows of citizenship − Belgium",
         explanation="The countries of citizenship the report lists, not counting Belgium.")
def _(t):
    return int((t["citizenship"]["country_code"] != "BE").sum())


@finding("nationalities", "belgian-citizens", note="The conclusion's \"a clear majority of individuals in our dataset were Belgian citizens\" holds for the {citizenship-known} whose citizenship is known ({belgian-citizen-share}), not for all {individuals-total} ({belgian-citizen-share-of-all-individuals}).", basis="transcribed", unit="people", inputs=CIT,
         statement="Belgian citizens among those with known citizenship", formula="citizenship: BE")
def _(t):
    return _citizens(t, "BE")


@finding("nationalities", "belgian-citizen-share", note='This share is of the {citizenship-known} individuals whose citizenship is known. The Key Findings attach the same figure to all {individuals-total} (see belgian-citizen-share-of-all-individuals).', unit="share", inputs=CIT + ("coverage",),
         statement="Share of individuals with known citizenship who were Belgian citizens",
         formula="Belgian citizens / citizenship known",
         explanation="The Belgian citizens divided by the individuals whose citizenship is known.")
def _(t):
    return _citizens(t, "BE") / _coverage(t, "citizenship")


@finding("nationalities", "non-belgian-citizens", unit="people", inputs=CIT + ("coverage",),
         statement="Individuals with known citizenship who were not Belgian citizens (counts per country not given)",
         formula="citizenship known − Belgian citizens",
         explanation="Our figure: the individuals whose citizenship is known, less the Belgian citizens.")
def _(t):
    return _coverage(t, "citizenship") - _citizens(t, "BE")


@finding("nationalities", "belgian-dual-citizens", basis="transcribed", unit="people", inputs=GROUPS,
         statement="Belgian citizens who also held another citizenship",
         formula="individual_groups: belgian-dual-citizens")
def _(t):
    return _group(t, "belgian-dual-citizens")


@finding("nationalities", "born-in-belgium", basis="transcribed", bound="lower", unit="people", inputs=("belgian_birthplaces",),
         statement="Belgian citizens known to be born in Belgium",
         formula="belgian_birthplaces: Belgium")
def _(t):
    return int(cell(t["belgian_birthplaces"], "birthplace", "Belgium", "individuals"))


@finding("nationalities", "born-in-belgium-share", bound="lower", unit="share", inputs=("belgian_birthplaces",) + CIT,
         statement="Share of Belgian citizens known to be born in Belgium",
         formula="born in Belgium / Belgian citizens",
         explanation="The Belgian citizens born in Belgium, divided by all Belgian citizens.")
def _(t):
    return int(cell(t["belgian_birthplaces"], "birthplace", "Belgium", "individuals")) / _citizens(t, "BE")


@finding("nationalities", "birthplace-unknown", basis="transcribed", unit="people", inputs=("belgian_birthplaces",),
         statement="Belgian citizens whose place of birth could not be identified",
         formula="belgian_birthplaces: unknown")
def _(t):
    return int(cell(t["belgian_birthplaces"], "birthplace", "unknown", "individuals"))


@finding("nationalities", "moroccan-linked", basis="transcribed", unit="people", inputs=GROUPS,
         statement="Individuals born in Morocco, holding Moroccan citizenship or with family roots there",
         formula="individual_groups: moroccan-link")
def _(t):
    return _group(t, "moroccan-link")


@finding("nationalities", "moroccan-linked-share", note='Our reading: {moroccan-linked} of all {individuals-total} individuals is {moroccan-linked-share}. The report prints its figure without naming the total, and none of the totals it gives ({individuals-total} individuals; {citizenship-known} with known citizenship; {heritage-known} with known heritage) yields it.', unit="share", inputs=GROUPS + ("denominators",),
         statement="Share of all individuals in the dataset with a Moroccan link",
         formula="Moroccan-linked / all individuals (the report does not say which total its 33% uses)",
         explanation="The individuals with links to Morocco, divided by all individuals in the dataset. The report does not say which total its own share uses.")
def _(t):
    return _group(t, "moroccan-link") / _everyone(t)


@finding("nationalities", "moroccan-linked-belgian-citizens", basis="transcribed", unit="people", inputs=GROUPS,
         statement="Moroccan-linked individuals who were Belgian citizens",
         formula="individual_groups: moroccan-link-belgian-citizens")
def _(t):
    return _group(t, "moroccan-link-belgian-citizens")


@finding("nationalities", "moroccan-linked-belgian-share", unit="share", inputs=GROUPS,
         statement="Share of Moroccan-linked individuals who were Belgian citizens",
         formula="Moroccan-linked Belgian citizens / Moroccan-linked individuals",
         explanation="Our figure: the Belgian citizens with links to Morocco, divided by all individuals with links to Morocco.")
def _(t):
    return _group(t, "moroccan-link-belgian-citizens") / _group(t, "moroccan-link")


@finding("nationalities", "belgian-turkish-individuals", basis="transcribed", unit="people", inputs=GROUPS,
         statement="Individuals of Belgian-Turkish heritage",
         formula="individual_groups: belgian-turkish-heritage")
def _(t):
    return _group(t, "belgian-turkish-heritage")


@finding("nationalities", "countries-all-four-years", unit="countries", inputs=CIT,
         statement="Countries whose citizens appear in each of the four years 2014–2017",
         formula="citizenship rows with years_present = 4",
         explanation="The countries of citizenship that appear in every year of the dataset, counted.")
def _(t):
    return int((t["citizenship"]["years_present"] == 4).sum())


@finding("nationalities", "countries-three-years", unit="countries", inputs=CIT,
         statement="Countries whose citizens appear in exactly three of the four years",
         formula="citizenship rows with years_present = 3",
         explanation="The countries of citizenship that appear in all but one year of the dataset, counted.")
def _(t):
    return int((t["citizenship"]["years_present"] == 3).sum())


def _morocco(t, measure):
    frame = t["comparisons"]
    rows = frame[(frame["country"] == "Morocco") & (frame["measure"] == measure)]
    return int(rows["value"].iloc[0])


@finding("nationalities", "morocco-plots", basis="transcribed", unit="plots", inputs=("comparisons",),
         statement="Plots uncovered in Morocco, June 2014 – May 2017 (CTC's Morocco report)",
         formula="transcribed (comparisons: Morocco plots_uncovered)")
def _(t):
    return _morocco(t, "plots_uncovered")


@finding("nationalities", "morocco-arrests", basis="transcribed", unit="arrest_actions", inputs=("comparisons",),
         statement="Arrests for Islamic State support in Morocco, June 2014 – May 2017",
         formula="transcribed (comparisons: Morocco arrests)")
def _(t):
    return _morocco(t, "arrests")


@finding("nationalities", "morocco-foreign-fighters", basis="transcribed", unit="people", inputs=("comparisons",),
         statement="Moroccan citizens or people of Moroccan origin who travelled to fight in Syria or Iraq (2015 estimate)",
         formula="transcribed (comparisons: Morocco foreign_fighters)")
def _(t):
    return _morocco(t, "foreign_fighters")


def _born_in(t, place):
    return int(cell(t["belgian_birthplaces"], "birthplace", place, "individuals"))


@finding("nationalities", "two-or-more-attributes-share", unit="share", inputs=("claims",), basis="transcribed",
         statement="Share of individuals with data for at least two of citizenship, heritage and birthplace",
         formula="transcribed from the report's text (the count behind it is not given)")
def _(t):
    return transcribed(t, "two-or-more-attributes-share")


@finding("nationalities", "born-in-morocco", unit="people", inputs=("belgian_birthplaces",), basis="transcribed",
         statement="Belgian citizens born in Morocco", formula="belgian_birthplaces: Morocco")
def _(t):
    return _born_in(t, "Morocco")


@finding("nationalities", "born-in-lebanon", unit="people", inputs=("belgian_birthplaces",), basis="transcribed",
         statement="Belgian citizens born in Lebanon", formula="belgian_birthplaces: Lebanon")
def _(t):
    return _born_in(t, "Lebanon")


@finding("nationalities", "belgian-birthplaces-total", unit="people", inputs=("belgian_birthplaces",),
         statement="Belgian citizens counted in footnote 25's birthplaces (a sum check against the number of Belgian citizens)",
         formula="born in Belgium + Morocco + Lebanon + birthplace unknown",
         explanation="The Belgian citizens born in Belgium, in Morocco or in Lebanon, plus those whose birthplace is unknown, added up.")
def _(t):
    return int(t["belgian_birthplaces"]["individuals"].sum())


@finding("nationalities", "belgian-citizen-share-of-all-individuals", unit="share", inputs=CIT + ("denominators",),
         statement="Belgian citizens as a share of all individuals in the dataset",
         formula="Belgian citizens / all individuals",
         note="The report contradicts itself here. Its Key Findings write that the {individuals-total} individuals \"were citizens of 12 different countries\" and that 65% were Belgian; its body gives both figures for the {citizenship-known} individuals whose citizenship is known. Of all {individuals-total}, the {belgian-citizens} Belgian citizens are {belgian-citizen-share-of-all-individuals}.",
         explanation="The Belgian citizens divided by all individuals in the dataset, including those whose citizenship is unknown.")
def _(t):
    return _citizens(t, "BE") / _everyone(t)

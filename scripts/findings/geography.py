"""Geography: where incidents happened, as far as the text of the report available to us gives places."""

from scripts.findings import cell, finding, incidents, transcribed

PLACES = ("incidents_by_place",)


def _place(t, place_id, column="incidents"):
    return int(cell(t["incidents_by_place"], "place_id", place_id, column))


def _claim(t, claim_id):
    return float(cell(t["claims"], "claim_id", claim_id, "reported_value"))


def brussels_charleroi_incidents(t) -> int:
    """Back-compute the count from the printed share: the integer n with n / total nearest it.

    Figure 2's values are not in the text available to us, so this is the only way to size
    Brussels; the result is labelled derived wherever it is shown.
    """
    total = incidents(t)
    share = _claim(t, "brussels-charleroi-share")
    candidates = [n for n in range(total + 1) if round(100 * n / total) == round(100 * share)]
    if len(candidates) != 1:
        raise ValueError(f"{len(candidates)} counts fit the printed {share:.0%} of {total}")
    return candidates[0]


@finding("geography", "charleroi-incidents", basis="transcribed", unit="incidents", inputs=PLACES,
         statement="Incidents in Charleroi", formula="incidents_by_place: charleroi")
def _(t):
    return _place(t, "charleroi")


@finding("geography", "charleroi-attacks", basis="transcribed", unit="attacks", inputs=PLACES,
         statement="Attacks among Charleroi's incidents", formula="incidents_by_place: charleroi, attacks")
def _(t):
    return _place(t, "charleroi", "attacks")


@finding("geography", "antwerp-incidents", basis="transcribed", unit="incidents", inputs=PLACES,
         statement="Incidents in Antwerp", formula="incidents_by_place: antwerp")
def _(t):
    return _place(t, "antwerp")


@finding("geography", "antwerp-people-arrested", basis="transcribed", unit="people", inputs=PLACES,
         statement="People arrested in Antwerp's incidents",
         formula="incidents_by_place: antwerp, people_arrested")
def _(t):
    return _place(t, "antwerp", "people_arrested")


@finding("geography", "brussels-charleroi-incidents", unit="incidents",
         inputs=("incidents", "claims"),
         statement="Incidents in Brussels and Charleroi together (back-computed from the printed share)",
         formula="the only whole number n for which n / all incidents rounds to the printed 71%",
         explanation="Our figure: the only whole number of incidents that, divided by all incidents, rounds to the share the report prints for Brussels and Charleroi together (the values behind its Figure 2 are not in the text available to us).")
def _(t):
    return brussels_charleroi_incidents(t)


@finding("geography", "brussels-charleroi-share", unit="share", inputs=("incidents", "claims"), basis="back_calculated",
         note="Figure 2's values are not in the text available to us, so we worked the Brussels and Charleroi count back from this printed share: it agrees with the report by construction and checks nothing.",
         statement="Share of all incidents that took place in Brussels or Charleroi",
         formula="back-computed count / all incidents; consistent with the print by construction, "
                 "not an independent check (Figure 2's values are not in the text available to us)",
         explanation="That worked-back count divided by all incidents. It agrees with the report's share because it was worked back from it, so it is not a check.")
def _(t):
    return brussels_charleroi_incidents(t) / incidents(t)


@finding("geography", "brussels-incidents", unit="incidents", inputs=("incidents", "claims") + PLACES,
         statement="Incidents in Brussels (derived; Figure 2's values are not in the text available to us)",
         formula="back-computed Brussels + Charleroi count − Charleroi's 14",
         explanation="Our figure: the worked-back count for Brussels and Charleroi together, less the incidents the report counts in Charleroi.")
def _(t):
    return brussels_charleroi_incidents(t) - _place(t, "charleroi")


@finding("geography", "elsewhere-incidents", unit="incidents", inputs=("incidents", "claims") + PLACES,
         statement="Incidents outside Brussels, Charleroi and Antwerp, which the text available to us does not break down by place",
         formula="all incidents − Brussels and Charleroi − Antwerp",
         explanation="Our figure: all incidents, less those in Brussels, Charleroi and Antwerp.")
def _(t):
    return incidents(t) - brussels_charleroi_incidents(t) - _place(t, "antwerp")


@finding("geography", "antwerp-incident-share", unit="share", inputs=("incidents",) + PLACES,
         statement="Antwerp's share of all incidents", formula="Antwerp incidents / all incidents",
         explanation="Our figure: the incidents the report counts in Antwerp divided by all incidents.")
def _(t):
    return _place(t, "antwerp") / incidents(t)


@finding("geography", "antwerp-foreign-fighter-share", basis="transcribed", unit="share", inputs=("foreign_fighters",),
         statement="Antwerp's share of Belgian foreign fighters in Syria and Iraq (earlier research by one of the authors)",
         formula="transcribed (foreign_fighters: antwerp_share_of_belgian_foreign_fighters)")
def _(t):
    return float(cell(t["foreign_fighters"], "measure", "antwerp_share_of_belgian_foreign_fighters", "value"))


@finding("geography", "muslims-brussels-capital", basis="transcribed", unit="people", inputs=("muslim_population",),
         statement="Estimated Muslim residents of the Brussels-Capital Region (Hertogen, 2014)",
         formula="transcribed (muslim_population: brussels-capital-region)")
def _(t):
    return int(cell(t["muslim_population"], "area", "brussels-capital-region", "muslims_estimate"))


@finding("geography", "muslims-antwerp", basis="transcribed", unit="people", inputs=("muslim_population",),
         statement="Estimated Muslim residents of Antwerp (Hertogen, 2014)",
         formula="transcribed (muslim_population: antwerp)")
def _(t):
    return int(cell(t["muslim_population"], "area", "antwerp", "muslims_estimate"))


@finding("geography", "antwerp-to-brussels-muslims-ratio", unit="share", inputs=("muslim_population",),
         statement="Antwerp's estimated Muslim population as a share of the Brussels-Capital Region's",
         formula="Antwerp estimate / Brussels-Capital Region estimate",
         explanation="Our figure: the report's estimate of the Muslim population of Antwerp divided by its estimate for the Brussels-Capital Region.")
def _(t):
    frame = t["muslim_population"]
    antwerp = cell(frame, "area", "antwerp", "muslims_estimate")
    brussels = cell(frame, "area", "brussels-capital-region", "muslims_estimate")
    return float(antwerp) / float(brussels)


@finding("geography", "antwerp-arrest-actions", unit="arrest_actions", inputs=("claims",), basis="transcribed",
         statement="Arrest actions in Antwerp",
         formula="transcribed from the report's text (the Antwerp recruitment sentence)")
def _(t):
    return transcribed(t, "antwerp-arrest-actions")


@finding("geography", "antwerp-chaib-arrest-actions", unit="arrest_actions", inputs=("claims",), basis="transcribed",
         statement="Antwerp arrest actions involving people who were in contact with a known Islamic State operative "
                   "and recruiting for the group in the city",
         formula="transcribed from the report's text (out of the arrest actions in Antwerp)")
def _(t):
    return transcribed(t, "antwerp-chaib-arrest-actions")

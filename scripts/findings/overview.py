"""Overview: how incidents divide between linked and inspired, arrest actions and attacks."""

from scripts.findings import cell, finding, incidents, transcribed

INC = ("incidents",)


@finding("overview", "arrest-actions-total", unit="arrest_actions", inputs=INC,
         statement="Islamic State–related arrest actions in Belgium, June 2014 – October 2017",
         formula="linked arrest actions + inspired arrest actions",
         explanation="The linked arrest actions plus the inspired ones, as the report counts them.")
def _(t):
    return incidents(t, incident_type="arrest_action")


@finding("overview", "attacks-total", unit="attacks", inputs=INC,
         statement="Islamic State–related attacks in Belgium in the same period",
         formula="linked attacks + inspired attacks",
         explanation="The linked attacks plus the inspired attacks, as the report counts them.")
def _(t):
    return incidents(t, incident_type="attack")


@finding("overview", "incidents-total", unit="incidents", inputs=INC,
         statement="All incidents in the dataset (arrest actions and attacks)",
         formula="arrest actions + attacks",
         explanation="All arrest actions plus all attacks: what the report calls incidents.")
def _(t):
    return incidents(t)


@finding("overview", "individuals-total", basis="transcribed", unit="people", inputs=("denominators",),
         statement="Individuals in the report's dataset",
         formula="transcribed total (denominators: all-individuals); no individual-level data is published")
def _(t):
    return int(cell(t["denominators"], "denominator_id", "all-individuals", "value"))


@finding("overview", "linked-arrest-actions", basis="transcribed", unit="arrest_actions", inputs=INC,
         statement="Arrest actions with some form of direct link to Islamic State members in Syria or Iraq",
         formula="incidents where connection = linked and type = arrest action",
         explanation="The report's own figure, copied: the arrest actions it codes as linked to members of the group in Syria and Iraq.")
def _(t):
    return incidents(t, "linked", "arrest_action")


@finding("overview", "linked-arrest-action-share", unit="share", inputs=INC,
         statement="Share of arrest actions with some form of direct link to the Islamic State in Syria or Iraq",
         formula="linked arrest actions / all arrest actions",
         explanation="The linked arrest actions divided by all arrest actions.")
def _(t):
    return incidents(t, "linked", "arrest_action") / incidents(t, incident_type="arrest_action")


@finding("overview", "inspired-arrest-actions", basis="transcribed", unit="arrest_actions", inputs=INC,
         statement="Arrest actions coded as inspired (no proven connection to the group)",
         formula="incidents where connection = inspired and type = arrest action",
         explanation="The report's own figure, copied: the arrest actions it codes as inspired.")
def _(t):
    return incidents(t, "inspired", "arrest_action")


@finding("overview", "inspired-arrest-action-people", basis="transcribed", unit="people", inputs=INC,
         statement="People arrested in the inspired arrest actions",
         formula="people_arrested where connection = inspired and type = arrest action",
         explanation="The report's own figure, copied: the people arrested in the arrest actions it codes as inspired.")
def _(t):
    frame = t["incidents"]
    rows = frame[(frame["connection"] == "inspired") & (frame["incident_type"] == "arrest_action")]
    return int(rows["people_arrested"].sum())


@finding("overview", "inspired-attacks", basis="transcribed", unit="attacks", inputs=INC,
         statement="Attacks carried out by inspired individuals",
         formula="incidents where connection = inspired and type = attack",
         explanation="The report's own figure, copied: the attacks it counts as carried out by inspired individuals.")
def _(t):
    return incidents(t, "inspired", "attack")


@finding("overview", "linked-attacks", basis="transcribed", unit="attacks", inputs=INC,
         statement="Attacks carried out by attackers directly connected to the Islamic State in Syria or Iraq",
         formula="incidents where connection = linked and type = attack",
         explanation="The report's own figure, copied: the attack it describes as directly connected to the group.")
def _(t):
    return incidents(t, "linked", "attack")


@finding("overview", "inspired-attack-share", unit="share", inputs=INC,
         statement="Share of attacks carried out by inspired individuals",
         formula="inspired attacks / all attacks",
         explanation="The inspired attacks divided by all attacks.")
def _(t):
    return incidents(t, "inspired", "attack") / incidents(t, incident_type="attack")


@finding("overview", "inspired-incident-attack-share", unit="share", inputs=INC,
         statement="Share of inspired incidents that were attacks",
         formula="inspired attacks / (inspired arrest actions + inspired attacks)",
         explanation="Of the incidents the report codes as inspired, the share that were attacks rather than arrest actions.")
def _(t):
    return incidents(t, "inspired", "attack") / incidents(t, "inspired")


@finding("overview", "linked-incident-attack-share", unit="share", inputs=INC,
         statement="Share of linked incidents that were attacks",
         formula="linked attacks / (linked arrest actions + linked attacks)",
         explanation="Of the incidents the report codes as linked, the share that were attacks rather than arrest actions.")
def _(t):
    return incidents(t, "linked", "attack") / incidents(t, "linked")


@finding("overview", "plot-share-of-arrest-actions", unit="share",
         inputs=("weapons_targets", "incidents"),
         statement="Share of arrest actions that revealed evidence of a plot",
         formula="plots / all arrest actions (assumes every plot surfaced in an arrest action)",
         explanation="The plots the report counts divided by all arrest actions; this assumes that every plot came to light in an arrest action.")
def _(t):
    plots = int(cell(t["weapons_targets"], "measure", "plots", "incidents"))
    return plots / incidents(t, incident_type="arrest_action")


@finding("overview", "jewish-museum-deaths", unit="people", inputs=("claims",), basis="transcribed",
         statement="People killed in the shooting at the Jewish Museum of Belgium in May 2014, before the dataset's period",
         formula="transcribed from the report's opening")
def _(t):
    return transcribed(t, "jewish-museum-deaths")

"""Weapons and targets: what the dataset records, and the four attacks from public sources."""

from scripts.findings import cell, finding, incidents

WT = ("weapons_targets",)
ATTACKS = ("attacks",)


def _measure(t, measure):
    return int(cell(t["weapons_targets"], "measure", measure, "incidents"))


def _attacks(t, connection=None, weapon=None):
    frame = t["attacks"]
    if connection:
        frame = frame[frame["connection"] == connection]
    if weapon:
        frame = frame[frame["weapon_type"] == weapon]
    return frame


@finding("weapons_targets", "weapon-data-incidents", basis="transcribed", unit="incidents", inputs=WT,
         statement="Incidents with data on a weapon used or recovered", formula="weapons_targets: weapon_data")
def _(t):
    return _measure(t, "weapon_data")


@finding("weapons_targets", "target-data-incidents", basis="transcribed", unit="incidents", inputs=WT,
         statement="Incidents with data on an actual or potential target", formula="weapons_targets: target_data")
def _(t):
    return _measure(t, "target_data")


@finding("weapons_targets", "weapon-data-share", unit="share", inputs=WT + ("incidents",),
         statement="Share of all incidents with weapon data", formula="incidents with weapon data / all incidents",
         explanation="Our figure: the incidents with information on the weapon, divided by all incidents.")
def _(t):
    return _measure(t, "weapon_data") / incidents(t)


@finding("weapons_targets", "target-data-share", unit="share", inputs=WT + ("incidents",),
         statement="Share of all incidents with target data", formula="incidents with target data / all incidents",
         explanation="Our figure: the incidents with information on the target, divided by all incidents.")
def _(t):
    return _measure(t, "target_data") / incidents(t)


@finding("weapons_targets", "plots", basis="transcribed", unit="plots", inputs=WT,
         statement="Plots in the dataset", formula="weapons_targets: plots")
def _(t):
    return _measure(t, "plots")


@finding("weapons_targets", "knife-attacks", note="Which attacks these are is our identification: the report names only the March 2016 bombings. Its clue, knife attacks on police \"within the last year\", fits neither identified date (6 August and 5 October 2016 are more than a year before the report's February 2018 publication).", unit="attacks", inputs=ATTACKS,
         statement="Knife attacks on police officers (the report's term), among the attacks as we identified them", formula="attacks with weapon_type = knife",
         explanation="The attacks, as we identified them from public sources, in which the weapon was a knife or a machete, counted.")
def _(t):
    return len(_attacks(t, weapon="knife"))


@finding("weapons_targets", "knife-attacks-inspired", unit="attacks", inputs=ATTACKS,
         statement="Knife attacks that public information at the time of writing indicated were carried out by inspired individuals (the report's account)",
         formula="attacks with weapon_type = knife and connection = inspired",
         explanation="Of those knife attacks, the ones the report counts as inspired.")
def _(t):
    return len(_attacks(t, "inspired", "knife"))


@finding("weapons_targets", "explosive-attacks", unit="attacks", inputs=ATTACKS,
         statement="Attacks with explosive devices", formula="attacks with weapon_type = explosive",
         explanation="The attacks, as we identified them from public sources, in which explosives were used, counted.")
def _(t):
    return len(_attacks(t, weapon="explosive"))


@finding("weapons_targets", "tatp-incidents-in-dataset", unit="incidents", inputs=("tatp_mentions",),
         statement="Belgian incidents in the dataset in which TATP appears",
         formula="tatp_mentions with in_dataset = true",
         explanation="The incidents in the report's dataset in which it mentions the explosive TATP, counted.")
def _(t):
    return int(t["tatp_mentions"]["in_dataset"].sum())


@finding("weapons_targets", "linked-attack-deaths", note='From public sources: {linked-attack-deaths} victims, not counting the bombers. The report says "more than 30".', unit="people", inputs=ATTACKS,
         statement="People killed in the linked attack (22 March 2016), attackers excluded",
         formula="sum of victims_killed over linked attacks",
         explanation="The victims killed in the linked attack, not counting the attackers, from public sources.")
def _(t):
    return int(_attacks(t, "linked")["victims_killed"].sum())


@finding("weapons_targets", "inspired-attack-deaths", note="From public sources, for the {inspired-attacks} attacks we identified as the report's inspired ones.", unit="people", inputs=ATTACKS,
         statement="People killed in the three attacks we identified as the inspired ones, attackers excluded (public sources)",
         formula="sum of victims_killed over inspired attacks",
         explanation="The victims killed in the inspired attacks as we identified them, not counting the attackers, from public sources.")
def _(t):
    return int(_attacks(t, "inspired")["victims_killed"].sum())


@finding("weapons_targets", "inspired-attackers-killed", note="From public sources, for the {inspired-attacks} attacks we identified as the report's inspired ones.", unit="people", inputs=ATTACKS,
         statement="Attackers who died in the three attacks we identified as the inspired ones (public sources)",
         formula="sum of attackers_killed over inspired attacks",
         explanation="The attackers killed in the inspired attacks as we identified them, from public sources.")
def _(t):
    return int(_attacks(t, "inspired")["attackers_killed"].sum())


@finding("weapons_targets", "attack-injured-total", unit="people", inputs=ATTACKS,
         statement="People injured in the four attacks as we identified them (public sources; the report gives no total)",
         formula="sum of injured over all four attacks",
         explanation="Our figure: the people injured in all the attacks as we identified them, added up from public sources.")
def _(t):
    return int(t["attacks"]["injured"].sum())


@finding("weapons_targets", "linked-attack-injured", unit="people", inputs=ATTACKS,
         note="From public sources (the consolidated count); early reports gave lower figures and some say only \"more than 300\". The report gives no figure for the injured.",
         statement="People injured in the linked attack (22 March 2016), from public sources",
         formula="sum of injured over linked attacks",
         explanation="Our figure: the people injured in the linked attack, from public sources.")
def _(t):
    return int(_attacks(t, "linked")["injured"].sum())

"""The demo force: Kent, four of its districts, their wards, partners and problems.

Place names are real Kent wards; people and problems are invented.
"""

from __future__ import annotations

FORCE = {"code": "KNT", "name": "Kent Police", "slug": "kent"}

# district: [(ward, public name, character, lat, lon)]
DISTRICTS: dict[str, list[tuple[str, str, str, float, float]]] = {
    "Canterbury": [
        ("Northgate", "Northgate, Canterbury", "urban", 51.2840, 1.0880),
        ("Westgate", "Westgate, Canterbury", "town_centre", 51.2800, 1.0750),
        ("Wincheap", "Wincheap, Canterbury", "suburban", 51.2700, 1.0700),
        ("Herne Bay Heron", "Heron, Herne Bay", "coastal", 51.3700, 1.1300),
        ("Whitstable Harbour", "Harbour, Whitstable", "coastal", 51.3610, 1.0250),
        ("Chartham and Stone Street", "Chartham and Stone Street", "rural", 51.2530, 1.0180),
    ],
    "Dover": [
        ("Town and Castle", "Dover Town and Castle", "town_centre", 51.1260, 1.3130),
        ("Maxton and Elms Vale", "Maxton and Elms Vale, Dover", "urban", 51.1230, 1.2930),
        ("Deal Middle", "Middle Deal", "coastal", 51.2230, 1.3990),
        ("Aylesham", "Aylesham", "rural", 51.2270, 1.2030),
    ],
    "Maidstone": [
        ("High Street", "Maidstone High Street", "town_centre", 51.2720, 0.5220),
        ("Shepway North", "Shepway North, Maidstone", "urban", 51.2590, 0.5450),
        ("Park Wood", "Park Wood, Maidstone", "urban", 51.2470, 0.5400),
        ("Headcorn", "Headcorn", "rural", 51.1680, 0.6270),
    ],
    "Thanet": [
        ("Cliftonville West", "Cliftonville West, Margate", "coastal", 51.3890, 1.3920),
        ("Central Harbour", "Central Harbour, Ramsgate", "coastal", 51.3330, 1.4190),
        ("Dane Valley", "Dane Valley, Margate", "urban", 51.3780, 1.3950),
    ],
}

# name, kind, contact email
AGENCIES = [
    ("Kent Police", "police", "neighbourhoods@kent.police.example"),
    ("Canterbury City Council", "district_council", "community.safety@canterbury.example"),
    ("Dover District Council", "district_council", "csu@dover.example"),
    ("Maidstone Borough Council", "district_council", "safer.maidstone@maidstone.example"),
    ("Thanet District Council", "district_council", "csp@thanet.example"),
    ("Kent County Council Community Wardens", "wardens", "wardens@kent-cc.example"),
    ("Orbit Housing", "housing", "asb.team@orbit.example"),
    ("Kent Fire and Rescue Service", "fire", "community.safety@kent-fire.example"),
    ("Kent Community Health", "health", "safeguarding@kent-health.example"),
    ("Simon Langton Boys' Grammar School", "education", "office@langton.example"),
]

CATEGORIES = [
    ("Anti-social behaviour: personal", "Anti-social behaviour"),
    ("Anti-social behaviour: nuisance", "Anti-social behaviour"),
    ("Anti-social behaviour: environmental", "Anti-social behaviour"),
    ("Drugs", "Crime"),
    ("Criminal damage and graffiti", "Crime"),
    ("Burglary", "Crime"),
    ("Vehicle crime", "Crime"),
    ("Speeding and road safety", "Roads"),
    ("Inconsiderate parking", "Roads"),
    ("Fly-tipping and litter", "Environment"),
    ("Alcohol-related disorder", "Anti-social behaviour"),
]

# username: (role, agency, first, last, districts, neighbourhoods)
USERS = {
    "officer": ("officer", "Kent Police", "Priya", "Shah", [], ["Northgate", "Westgate", "Wincheap"]),
    "partner": ("partner", "Canterbury City Council", "Tom", "Hale", [], ["Northgate", "Westgate", "Wincheap"]),
    "partner2": ("partner", "Orbit Housing", "Grace", "Okafor", [], ["Northgate", "Herne Bay Heron"]),
    "supervisor": ("supervisor", "Kent Police", "Dan", "Mercer", ["Canterbury"], []),
    "analyst": ("analyst", "Kent Police", "Helen", "Brook", [], []),
    "training": ("training", "Kent Police", "Marcus", "Flynn", [], []),
    "webeditor": ("webeditor", "Kent Police", "Amy", "Lowe", [], []),
    "callhandler": ("callhandler", "Kent Police", "Raj", "Patel", [], []),
    "admin": ("admin", "Kent Police", "Alex", "Admin", [], []),
    "pcso_herne": ("officer", "Kent Police", "Jo", "Reed", [], ["Herne Bay Heron", "Whitstable Harbour"]),
    "pc_dover": ("officer", "Kent Police", "Chris", "Dunn", [], ["Town and Castle", "Maxton and Elms Vale"]),
    "sgt_dover": ("supervisor", "Kent Police", "Sue", "Grant", ["Dover"], []),
    "pcso_maidstone": ("officer", "Kent Police", "Lee", "Ward", [], ["High Street", "Shepway North", "Park Wood"]),
    "pcso_thanet": ("officer", "Kent Police", "Kim", "Baker", [], ["Cliftonville West", "Central Harbour", "Dane Valley"]),
    "sgt_maidstone": ("supervisor", "Kent Police", "Ian", "Cole", ["Maidstone", "Thanet"], []),
    "insp_canterbury": ("supervisor", "Kent Police", "Ruth", "Ellis", ["Canterbury"], []),
}

# Target stage, and whether overdue / public. Partners: "P1" = partner's agency (council),
# "P2" = partner2's agency (Orbit Housing); never both on one problem.
# (title, statement, category index, source, originator, ward, owner, partner, stage, overdue, public)
PROBLEMS = [
    ("Youths gathering at Northgate parade", "Groups of 8-10 youths gather outside the off-licence on Northgate parade between 7pm and 10pm, drinking and shouting, deterring customers.", 1, "pact", "Northgate PACT meeting", "Northgate", "officer", "P1", "response", True, True),
    ("Drug dealing in Kingsmead car park", "Suspected street dealing from parked cars in Kingsmead car park, weekday evenings 6-9pm, reported by car park staff.", 3, "partner", "Canterbury City Council parking services", "Northgate", "officer", "P1", "analysis", False, False),
    ("Graffiti on the Westgate Towers underpass", "Repeated tagging of the underpass walls near Westgate Towers, mostly weekend nights.", 4, "community", "Westgate residents' association", "Westgate", "officer", "P1", "assessment", False, True),
    ("Speeding outside St Peter's school", "Vehicles exceeding 30mph on St Peter's Place at school drop-off and pick-up, 8-9am and 3-4pm.", 7, "complaint", "Head teacher, St Peter's primary school", "Westgate", "officer", "P1", "closed", False, True),
    ("Fly-tipping behind Wincheap industrial estate", "Household waste dumped in the lane behind Wincheap industrial estate, several times a week, mostly overnight.", 9, "partner", "Canterbury City Council street scene", "Wincheap", "officer", "P1", "response", False, True),
    ("Noise from flats at Cromwell Road", "Late-night parties and noise from two flats at Cromwell Road, Friday and Saturday nights, disturbing neighbours.", 1, "partner", "Orbit Housing neighbourhood officer", "Northgate", "officer", "P2", "response", True, False),
    ("Intimidation in Orbit block stairwells", "Non-residents using the stairwells of the Orbit blocks on Military Road to smoke cannabis and intimidate residents, evenings.", 0, "partner", "Orbit Housing ASB team", "Northgate", "officer", "P2", "analysis", True, False),
    ("Bike thefts at Canterbury West station", "Cycle thefts from the racks outside Canterbury West station, weekday daytime, 14 in two months.", 6, "analysis", "District crime analyst", "Westgate", "officer", "", "scanning", False, False),
    ("Street drinking in Dane John Gardens", "Street drinkers in Dane John Gardens from late morning, with litter and urination complaints from families.", 10, "pact", "Westgate PACT meeting", "Westgate", "officer", "P1", "closed", False, True),
    ("Cars racing on Herne Bay seafront", "Modified cars racing along Central Parade, Herne Bay, Friday and Saturday nights after 10pm.", 7, "pact", "Herne Bay PACT meeting", "Herne Bay Heron", "pcso_herne", "", "response", True, True),
    ("Damage to beach huts in Whitstable", "Beach huts at Tankerton slopes broken into and damaged, overnight, spring and summer.", 4, "community", "Tankerton beach hut owners' association", "Whitstable Harbour", "pcso_herne", "", "assessment", False, False),
    ("Anti-social behaviour on Heron estate green", "Youths riding mopeds across the Heron estate green, evenings, damaging the grass and frightening residents.", 1, "partner", "Orbit Housing estate officer", "Herne Bay Heron", "pcso_herne", "P2", "closed", False, True),
    ("Dog fouling on Chartham recreation ground", "Persistent dog fouling on the recreation ground by the primary school, daily.", 2, "community", "Chartham parish council", "Chartham and Stone Street", "officer", "", "closed_no_action", False, False),
    ("Shoplifting at Westgate convenience stores", "Repeat shoplifting from three convenience stores on St Dunstan's Street by the same small group, afternoons.", 1, "call", "Incident data review", "Westgate", "officer", "", "scanning", True, False),
    ("Parking on pavements near Wincheap school", "Parents parking on pavements on Hollow Lane at school times, blocking pushchairs and wheelchairs.", 8, "complaint", "Resident of Hollow Lane", "Wincheap", "officer", "P1", "analysis", False, True),
    ("Nitrous oxide canisters at Whitstable harbour", "Groups using nitrous oxide at the harbour car park late evenings, leaving canisters.", 3, "observation", "PCSO patrol", "Whitstable Harbour", "pcso_herne", "", "analysis", False, False),
    ("Begging at Dover town centre cash points", "Aggressive begging at cash machines on Biggin Street, daytime.", 0, "community", "Dover town centre traders", "Town and Castle", "pc_dover", "", "response", True, True),
    ("Burglaries of sheds in Maxton", "Sheds and garages broken into on the Maxton estate, overnight, 9 in six weeks.", 5, "analysis", "District crime analyst", "Maxton and Elms Vale", "pc_dover", "", "assessment", False, False),
    ("Deal seafront disorder on Saturday nights", "Alcohol-related fights near the pier on Saturday nights after closing time.", 10, "pact", "Deal PACT meeting", "Deal Middle", "pc_dover", "", "closed", False, True),
    ("Fly-tipping in Aylesham lanes", "Trade waste dumped in rural lanes around Aylesham, weekly.", 9, "partner", "Dover District Council environmental crime team", "Aylesham", "pc_dover", "", "scanning", False, False),
    ("County lines activity in Park Wood", "Suspected county lines dealing from a flat in Park Wood, with visitors throughout the evening.", 3, "call", "Neighbourhood intelligence", "Park Wood", "pcso_maidstone", "", "response", False, False),
    ("Rough sleeping and ASB at Maidstone bus station", "Rough sleeping, drinking and aggressive behaviour at the bus station, early mornings and evenings.", 0, "partner", "Maidstone Borough Council", "High Street", "pcso_maidstone", "", "analysis", True, True),
    ("Speeding through Headcorn village", "Speeding on the A274 through Headcorn, commuter hours.", 7, "pact", "Headcorn PACT meeting", "Headcorn", "pcso_maidstone", "", "closed", False, True),
    ("Moped thefts in Shepway North", "Mopeds stolen from outside homes in Shepway North, overnight, then used in ASB.", 6, "analysis", "District crime analyst", "Shepway North", "pcso_maidstone", "", "assessment", True, False),
    ("Cliftonville houses in multiple occupation noise", "Noise and disorder from HMOs on Godwin Road, late nights.", 1, "partner", "Thanet District Council", "Cliftonville West", "pcso_thanet", "", "scanning", False, False),
    ("Criminal damage to Ramsgate harbour boats", "Boats moored in Ramsgate harbour damaged and entered overnight.", 4, "complaint", "Ramsgate harbour master", "Central Harbour", "pcso_thanet", "", "response", False, True),
    ("Drug litter in Dane Park", "Needles and drug litter found near the play area in Dane Park, mornings.", 3, "community", "Friends of Dane Park", "Dane Valley", "pcso_thanet", "", "closed", False, False),
    ("Loitering at Canterbury bus station", "Groups of young people loitering and harassing passengers at the bus station, after school.", 0, "observation", "PCSO patrol", "Westgate", "officer", "", "closed", False, False),
    ("Fireworks misuse on Northgate estate", "Fireworks let off at people and cars on the Northgate estate in the weeks around bonfire night.", 1, "community", "Northgate community centre", "Northgate", "officer", "", "scanning", False, False),
    ("Arson of bins in Wincheap", "Wheelie bins set alight overnight in alleys off Wincheap.", 4, "partner", "Kent Fire and Rescue Service", "Wincheap", "officer", "P1", "response", False, False),
]

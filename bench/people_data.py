"""People and places for the national data set, made inside PostgreSQL (``bench/people.py generate``).

Names are a first name and a surname from the lists below, picked with a skew (the lists run
from common to rare, so there are many John Smiths and Mohammed Khans and few Zofia Kowalczyks);
addresses are a house number, a street, a town and a postcode, some with a flat or the name of
a venue. Links are made per force, to problems of the person's or place's own force: one link for
every record (nobody exists without a problem), then the rest drawn with a power-law skew, so a
few people and places appear in tens or hundreds of problems (the repeat victim, the prolific
complainant, the shop doorway) and most in one or two. About 1 in 150 people is a duplicate
merged into the record before it (same name, no links of its own: the merge moved them).
"""

from __future__ import annotations

from dataclasses import dataclass

#: At ``--scale 1`` (500,000 problems): the figures of issue 18's benchmark.
NATIONAL = {"people": 600_000, "places": 300_000, "person_links": 1_500_000, "place_links": 500_000}

FIRST_NAMES = [
    "John", "David", "Michael", "Paul", "Mohammed", "James", "Andrew", "Peter", "Robert", "Mark", "Richard",
    "Susan", "Margaret", "Sarah", "Karen", "Patricia", "Elizabeth", "Helen", "Julie", "Mary", "Linda", "Emma",
    "Christopher", "Stephen", "Daniel", "Thomas", "William", "Anthony", "Kevin", "Gary", "Ian", "Steven",
    "Jennifer", "Nicola", "Claire", "Lisa", "Joanne", "Rachel", "Amanda", "Jacqueline", "Laura", "Michelle",
    "Matthew", "Jason", "Lee", "Simon", "Darren", "Craig", "Martin", "Neil", "Wayne", "Dean", "Jamie",
    "Katherine", "Catherine", "Rebecca", "Hannah", "Charlotte", "Sophie", "Emily", "Jessica", "Chloe", "Amy",
    "Muhammad", "Ahmed", "Ali", "Hassan", "Imran", "Tariq", "Abdul", "Omar", "Yusuf", "Bilal", "Adeel",
    "Fatima", "Aisha", "Amina", "Zainab", "Maryam", "Nadia", "Samina", "Shazia", "Ayesha", "Noor",
    "Rajesh", "Sanjay", "Amit", "Priya", "Sunita", "Harjit", "Gurpreet", "Manjit", "Deepak", "Anita",
    "Piotr", "Tomasz", "Krzysztof", "Agnieszka", "Katarzyna", "Zofia", "Andrei", "Ionut", "Elena", "Florin",
    "Kwame", "Chinedu", "Oluwaseun", "Ngozi", "Abena", "Tendai", "Aaliyah", "Kofi", "Adaeze", "Emeka",
    "Siobhan", "Ciaran", "Niamh", "Declan", "Aoife", "Rhys", "Gareth", "Dafydd", "Cerys", "Bethan",
    "Oliver", "Jack", "Harry", "George", "Noah", "Leo", "Oscar", "Freya", "Isla", "Poppy", "Ava", "Mia",
]  # fmt: skip

SURNAMES = [
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
    "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
    "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill",
    "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen",
    "James", "Scott", "Phillips", "Watson", "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths",
    "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy",
    "Miller", "Cox", "Richards", "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh",
    "Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali",
    "Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight",
    "Lloyd", "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey",
    "Graham", "Pearson", "Ahmed", "Fletcher", "Walsh", "Kaur", "Gibson", "Howard", "Andrews", "Stewart",
    "Elliott", "Reynolds", "Saunders", "Payne", "Fox", "Ford", "Pearce", "Day", "Brooks", "West",
    "Lawrence", "Cole", "Atkinson", "Bradley", "Spencer", "Gill", "Dawson", "Ball", "Burton", "O'Brien",
    "Watts", "Rose", "Booth", "Perry", "Ryan", "Grant", "Wells", "Armstrong", "Francis", "Rees",
    "Hayes", "Hart", "Hudson", "Newman", "Barrett", "Webster", "Hunter", "Gregory", "Carr", "Lowe",
    "Page", "Marsh", "Riley", "Dunn", "Woods", "Parsons", "Berry", "Stone", "Reid", "Holland",
    "Hawkins", "Harding", "Porter", "Robertson", "Newton", "Oliver", "Reed", "Kennedy", "Williamson", "Bird",
    "Gardner", "Shah", "Dean", "Lane", "Cooke", "Bates", "Henderson", "Parry", "Burgess", "Bishop",
    "Walton", "Burns", "Nicholson", "Shepherd", "Ross", "Cross", "Long", "Freeman", "Warren", "Nicholls",
    "Hamilton", "Byrne", "Sutton", "McDonald", "Yates", "Hodgson", "Robson", "Curtis", "Hopkins", "O'Connor",
    "Iqbal", "Rahman", "Mahmood", "Akhtar", "Malik", "Chaudhry", "Sharma", "Sandhu", "Mistry", "Chauhan",
    "Nowak", "Kowalski", "Wisniewski", "Kowalczyk", "Popescu", "Ionescu", "Okafor", "Mensah", "Adeyemi", "Osei",
]  # fmt: skip

STREETS = [
    "High", "Station", "Main", "Park", "Church", "London", "Victoria", "Green", "Manor", "Queens", "Kings",
    "New", "Mill", "School", "Chapel", "North", "South", "West", "East", "Springfield", "Windsor", "George",
    "York", "Albert", "Grange", "Stanley", "Alexandra", "Richmond", "Oak", "Elm", "Beech", "Cedar", "Willow",
    "Orchard", "Meadow", "Highfield", "Broadway", "Mount", "Castle", "Bridge", "Market", "Water", "Hill",
    "Forest", "Farm", "Princes", "Cromwell", "Nelson", "Wellington", "Marlborough", "Brunswick", "Clarence",
    "Cemetery", "Hawthorn", "Holly", "Laburnum", "Sycamore", "Poplar", "Rowan", "Chestnut", "Lime", "Mulberry",
    "Jubilee", "Coronation", "Heath", "Moor", "Riverside", "Canal", "Brook", "Fountain", "Abbey", "Priory",
]  # fmt: skip

STREET_KINDS = ["Street", "Road", "Lane", "Avenue", "Close", "Drive", "Way", "Crescent", "Gardens", "Terrace", "Court"]

TOWNS = [
    "Ashford", "Barnsley", "Bedford", "Blackburn", "Bolton", "Bradford", "Bridgend", "Burnley", "Bury", "Carlisle",
    "Chelmsford", "Chester", "Colchester", "Coventry", "Crawley", "Darlington", "Derby", "Doncaster", "Dudley",
    "Exeter", "Gateshead", "Gloucester", "Grimsby", "Halifax", "Harlow", "Hastings", "Hereford", "Huddersfield",
    "Ipswich", "Kettering", "Lancaster", "Leicester", "Lincoln", "Luton", "Maidstone", "Mansfield", "Middlesbrough",
    "Milton Keynes", "Newport", "Northampton", "Norwich", "Nottingham", "Oldham", "Oxford", "Peterborough",
    "Plymouth", "Preston", "Reading", "Rochdale", "Rotherham", "Salford", "Scunthorpe", "Sheffield", "Shrewsbury",
    "Slough", "Southend", "Stafford", "Stevenage", "Stockport", "Stoke", "Sunderland", "Swansea", "Swindon",
    "Taunton", "Telford", "Torquay", "Wakefield", "Walsall", "Warrington", "Watford", "Wigan", "Wolverhampton",
    "Worcester", "Worthing", "Wrexham", "Yeovil", "York", "Aberystwyth", "Bangor", "Carmarthen", "Merthyr Tydfil",
    "Pontypridd", "Llanelli", "Rhyl", "Barry", "Neath",
]  # fmt: skip

VENUES = [
    "The Red Lion", "The Royal Oak", "Co-op", "Tesco Express", "Londis", "Chip shop", "Kebab house", "Off-licence",
    "Community centre", "Leisure centre", "Library", "Youth club", "Bus station", "Railway station", "Skate park",
    "Recreation ground", "Victoria Park", "Memorial Park", "St Mary's Church", "Primary school",
]  # fmt: skip

VULNERABILITIES = [
    '["mental_health"]', '["age"]', '["disability"]', '["other"]', '["age", "disability"]',
    '["mental_health", "repeat_victim"]', '["repeat_victim"]', '["disability", "mental_health"]',
]  # fmt: skip

LANGUAGES = ["Polish", "Urdu", "Punjabi", "Welsh", "Romanian", "Arabic", "Bengali", "Gujarati", "Somali"]


@dataclass
class PeopleSizes:
    people: int
    places: int
    person_links: int
    place_links: int

    @classmethod
    def at(cls, scale: float) -> PeopleSizes:
        return cls(**{k: max(20, round(v * scale)) for k, v in NATIONAL.items()})


PARAMS = {
    "first": FIRST_NAMES,
    "last": SURNAMES,
    "streets": STREETS,
    "kinds": STREET_KINDS,
    "towns": TOWNS,
    "venues": VENUES,
    "vulns": VULNERABILITIES,
    "langs": LANGUAGES,
}

#: A role from a uniform draw ``r``: victims and complainants most, witnesses and subjects fewer.
PERSON_ROLE = """CASE WHEN {r} < {victim} THEN 'victim' WHEN {r} < {victim} + 0.3 THEN 'complainant'
                      WHEN {r} < {victim} + 0.3 + (1 - {victim} - 0.3) / 2 THEN 'witness' ELSE 'subject' END"""
PLACE_ROLE = """CASE WHEN {r} < {location} THEN 'location' WHEN {r} < {location} + 0.1 THEN 'victim_home'
                     ELSE 'premises' END"""


def steps(n: PeopleSizes) -> list[tuple[str, str]]:
    """The generation, step by step: (name, SQL with ``%(list)s`` parameters from ``PARAMS``)."""
    return [
        ("maps", MAPS.format(people=n.people, places=n.places, person_links=n.person_links, place_links=n.place_links)),
        ("people", PEOPLE),
        ("merged duplicates", MERGED),
        ("people map", PEOPLE_MAP),
        ("places", PLACES),
        ("places map", PLACES_MAP),
        ("person links", person_links()),
        ("place links", place_links()),
    ]


#: Per force: its share of the records and links (by its share of problems), and who made them.
MAPS = """
    CREATE TEMP TABLE bench_pf ON COMMIT DROP AS
      SELECT force_id, problems, creator,
             greatest(1, round({people} * problems / sum(problems) OVER ()))::int AS people,
             greatest(1, round({places} * problems / sum(problems) OVER ()))::int AS places,
             round({person_links} * problems / sum(problems) OVER ())::int AS person_links,
             round({place_links} * problems / sum(problems) OVER ())::int AS place_links,
             0 AS people_live, 0 AS places_live, 0 AS nbs
      FROM (SELECT force_id, count(*) AS problems, min(owner_id) AS creator FROM jps_problem GROUP BY force_id) f;
    CREATE TEMP TABLE bench_fprob ON COMMIT DROP AS
      SELECT force_id, (row_number() OVER (PARTITION BY force_id ORDER BY id) - 1)::int AS idx,
             id AS problem_id, owner_id, created_at
      FROM jps_problem;
    CREATE UNIQUE INDEX ON bench_fprob (force_id, idx);
    CREATE TEMP TABLE bench_fnb ON COMMIT DROP AS
      SELECT d.force_id, (row_number() OVER (PARTITION BY d.force_id ORDER BY n.id) - 1)::int AS idx,
             n.id, n.latitude, n.longitude
      FROM jps_neighbourhood n JOIN jps_district d ON d.id = n.district_id;
    CREATE UNIQUE INDEX ON bench_fnb (force_id, idx);
    UPDATE bench_pf f SET nbs = (SELECT count(*) FROM bench_fnb n WHERE n.force_id = f.force_id);
    ANALYZE bench_pf; ANALYZE bench_fprob; ANALYZE bench_fnb;"""

PEOPLE = """
    INSERT INTO jps_person (force_id, name, date_of_birth, phone, email, address, vulnerabilities, vulnerability_note,
                            preferred_language, needs, created_at, updated_at, created_by_id)
    SELECT f.force_id, r.first || ' ' || r.last || CASE WHEN r.x < 0.03 THEN '-' || r.last2 ELSE '' END,
           CASE WHEN r.x < 0.65 THEN date '1935-01-01' + floor(r.y * 27000)::int END,
           CASE WHEN r.y < 0.6 THEN '07' || lpad(floor(r.z * 1e9)::bigint::text, 9, '0') ELSE '' END,
           CASE WHEN r.z < 0.25
                THEN regexp_replace(lower(r.first || '.' || r.last), '[^a-z.]', '', 'g') || g || '@example.com'
                ELSE '' END,
           '',
           CASE WHEN r.v < 0.08 THEN ((%(vulns)s::text[])[1 + floor(r.y * cardinality(%(vulns)s::text[]))::int])::jsonb
                ELSE '[]'::jsonb END,
           CASE WHEN r.v < 0.08 THEN 'Noted at first contact' ELSE '' END,
           CASE WHEN r.w < 0.04 THEN (%(langs)s::text[])[1 + floor(r.w * 25 * cardinality(%(langs)s::text[]))::int]
                ELSE '' END,
           CASE WHEN r.v > 0.98 THEN 'Interpreter or text contact only' ELSE '' END,
           r.created, r.created, f.creator
    FROM bench_pf f
    CROSS JOIN LATERAL generate_series(1, f.people) g
    CROSS JOIN LATERAL (
      SELECT (%(first)s::text[])[1 + floor(cardinality(%(first)s::text[]) * power(random(), 1.6))::int + 0 * g] AS first,
             (%(last)s::text[])[1 + floor(cardinality(%(last)s::text[]) * power(random(), 2.2))::int + 0 * g] AS last,
             (%(last)s::text[])[1 + floor(cardinality(%(last)s::text[]) * random())::int + 0 * g] AS last2,
             random() + 0 * g AS x, random() + 0 * g AS y, random() + 0 * g AS z, random() + 0 * g AS v,
             random() + 0 * g AS w, now() - random() * interval '1000 days' + 0 * g * interval '1 day' AS created
    ) r
    ORDER BY r.created"""

#: Every 150th record of a force is a duplicate of the force's record made before it.
MERGED = """
    UPDATE jps_person p SET merged_into_id = d.kept, name = k.name,
                            merged_at = least(now(), p.created_at + interval '30 days')
    FROM (SELECT id, lag(id) OVER w AS kept, row_number() OVER w AS n
          FROM jps_person WINDOW w AS (PARTITION BY force_id ORDER BY id)) d
    JOIN jps_person k ON k.id = d.kept
    WHERE p.id = d.id AND mod(d.n, 150) = 0"""

#: The live (not merged) people of each force, numbered in a scattered order, so the most linked
#: are spread over the table as real ones would be (not the first rows of each force).
PEOPLE_MAP = """
    CREATE TEMP TABLE bench_fperson ON COMMIT DROP AS
      SELECT force_id, (row_number() OVER (PARTITION BY force_id ORDER BY md5(id::text)) - 1)::int AS idx, id
      FROM jps_person WHERE merged_into_id IS NULL;
    CREATE UNIQUE INDEX ON bench_fperson (force_id, idx);
    UPDATE bench_pf f SET people_live = (SELECT count(*) FROM bench_fperson p WHERE p.force_id = f.force_id);
    ANALYZE bench_fperson;"""

PLACES = """
    INSERT INTO jps_place (force_id, address, uprn, latitude, longitude, neighbourhood_id, created_at, updated_at,
                           created_by_id)
    SELECT f.force_id,
           CASE WHEN r.x < 0.03 THEN (%(venues)s::text[])[1 + floor(r.y * cardinality(%(venues)s::text[]))::int] || ', '
                WHEN r.x < 0.25 THEN 'Flat ' || (1 + floor(r.y * 40))::int || ', ' ELSE '' END
             || (1 + floor(r.z * 180))::int || ' ' || r.street || ', ' || r.town || ' '
             || upper(left(replace(r.town, ' ', ''), 2)) || (1 + mod(r.nidx, 20)) || ' '
             || floor(r.y * 10)::int || chr(65 + floor(r.z * 26)::int) || chr(65 + floor(r.x * 26)::int),
           CASE WHEN r.z < 0.85 THEN lpad((10000000000 + floor(r.y * 89999999999))::bigint::text, 12, '0') ELSE '' END,
           nb.latitude + (r.x - 0.5) / 50, nb.longitude + (r.y - 0.5) / 50, nb.id, r.created, r.created, f.creator
    FROM bench_pf f
    CROSS JOIN LATERAL generate_series(1, f.places) g
    CROSS JOIN LATERAL (
      SELECT floor(random() * f.nbs)::int + 0 * g AS nidx,
             (%(streets)s::text[])[1 + floor(cardinality(%(streets)s::text[]) * power(random(), 1.7))::int + 0 * g]
               || ' ' || (%(kinds)s::text[])[1 + floor(cardinality(%(kinds)s::text[]) * power(random(), 1.5))::int]
               AS street,
             (%(towns)s::text[])[1 + mod(f.force_id * 2 + floor(random() * 2)::int + 0 * g,
                                         cardinality(%(towns)s::text[]))::int] AS town,
             random() + 0 * g AS x, random() + 0 * g AS y, random() + 0 * g AS z,
             now() - random() * interval '1000 days' + 0 * g * interval '1 day' AS created
    ) r
    JOIN bench_fnb nb ON nb.force_id = f.force_id AND nb.idx = r.nidx
    ORDER BY r.created"""

PLACES_MAP = """
    CREATE TEMP TABLE bench_fplace ON COMMIT DROP AS
      SELECT force_id, (row_number() OVER (PARTITION BY force_id ORDER BY md5(id::text)) - 1)::int AS idx, id
      FROM jps_place;
    CREATE UNIQUE INDEX ON bench_fplace (force_id, idx);
    UPDATE bench_pf f SET places_live = (SELECT count(*) FROM bench_fplace p WHERE p.force_id = f.force_id);
    ANALYZE bench_fplace;"""


def _links(table: str, column: str, records: str, live: str, total: str, skew: float, base_role: str, role: str) -> str:
    """One link per record to a problem of its force, then the rest of ``total`` with a power-law skew;
    stored in the order they were made, as a live service holds them."""
    return f"""
    INSERT INTO {table} (problem_id, {column}, role, added_by_id, added_at)
    SELECT problem_id, record_id, role, added_by_id, added_at FROM (
      SELECT pr.problem_id, rec.id AS record_id, {base_role.format(r="x.r")} AS role, pr.owner_id AS added_by_id,
             least(now(), pr.created_at + x.r * interval '20 days') AS added_at
      FROM {records} rec JOIN bench_pf f ON f.force_id = rec.force_id
      CROSS JOIN LATERAL (SELECT floor(random() * f.problems)::int + 0 * rec.idx AS qidx, random() + 0 * rec.idx AS r) x
      JOIN bench_fprob pr ON pr.force_id = rec.force_id AND pr.idx = x.qidx
      UNION ALL
      SELECT pr.problem_id, rec.id, {role.format(r="x.r")}, pr.owner_id,
             least(now(), pr.created_at + x.r * interval '20 days')
      FROM bench_pf f
      CROSS JOIN LATERAL generate_series(1, greatest(0, f.{total} - f.{live})) g
      CROSS JOIN LATERAL (SELECT floor(f.{live} * power(random(), {skew}))::int + 0 * g AS idx,
                                 floor(random() * f.problems)::int + 0 * g AS qidx, random() + 0 * g AS r) x
      JOIN {records} rec ON rec.force_id = f.force_id AND rec.idx = x.idx
      JOIN bench_fprob pr ON pr.force_id = f.force_id AND pr.idx = x.qidx
    ) links
    ORDER BY added_at
    ON CONFLICT DO NOTHING"""


def person_links() -> str:
    """Repeat people are mostly victims and complainants; a one-off is often a witness."""
    base = PERSON_ROLE.format(r="{r}", victim=0.4)
    repeat = PERSON_ROLE.format(r="{r}", victim=0.5)
    return _links("jps_problemperson", "person_id", "bench_fperson", "people_live", "person_links", 2.0, base, repeat)


def place_links() -> str:
    """Every place is where something happened once; the repeat locations skew harder than people."""
    base = PLACE_ROLE.format(r="{r}", location=0.85)
    repeat = PLACE_ROLE.format(r="{r}", location=0.7)
    return _links("jps_problemplace", "place_id", "bench_fplace", "places_live", "place_links", 2.5, base, repeat)

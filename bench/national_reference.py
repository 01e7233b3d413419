"""National reference data at national size: ward boundaries and a staff file, loaded and timed.

    python bench/national_reference.py --wards 9000 --users 30000 [--out /tmp/national]

Creates (once) a benchmark force ``NRD`` with 300 districts, ``--wards`` neighbourhoods and 300
agencies, writes a GeoJSON of one polygon per ward (``--vertices`` points each, as generalised
ward boundaries have) and a staff CSV of ``--users`` rows (officers and partners in one ward,
supervisors over one district), then runs ``load_boundaries`` and ``import_users`` twice each
(first load, then the same file again: nothing changes) and prints the seconds. PostgreSQL or
SQLite, whichever ``DATABASE_URL`` names. ``--files-only`` writes the files and the places and
stops (to time another revision of the commands on the same input).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from jps.models import Agency, District, Force, Neighbourhood  # noqa: E402

DISTRICTS = 300
AGENCIES = 300


def places(wards: int) -> Force:
    force, _ = Force.objects.get_or_create(code="NRD", defaults={"name": "National reference bench", "slug": "nrd"})
    if not District.objects.filter(force=force).exists():
        District.objects.bulk_create(
            District(force=force, name=f"NRD District {d}", slug=f"nrd-district-{d}") for d in range(DISTRICTS)
        )
        Agency.objects.bulk_create(Agency(force=force, name=f"NRD Agency {a}") for a in range(AGENCIES))
    have = Neighbourhood.objects.filter(district__force=force).count()
    if have < wards:
        districts = list(District.objects.filter(force=force).order_by("pk"))
        Neighbourhood.objects.bulk_create(
            (
                Neighbourhood(district=districts[w % DISTRICTS], name=f"NRD Ward {w}", slug=f"nrd-ward-{w}")
                for w in range(have, wards)
            ),
            batch_size=2000,
        )
    return force


def polygon(w: int, vertices: int, rng: random.Random) -> dict:
    lon, lat = -5 + (w % 100) * 0.07, 50 + (w // 100) * 0.05
    ring = []
    for v in range(vertices):
        angle = 2 * math.pi * v / vertices
        radius = 0.02 * (0.8 + 0.4 * rng.random())
        ring.append([round(lon + radius * math.cos(angle), 6), round(lat + radius * math.sin(angle), 6)])
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def write_files(out: Path, wards: int, users: int, vertices: int) -> tuple[Path, Path]:
    rng = random.Random(23)
    out.mkdir(parents=True, exist_ok=True)
    geojson = out / "wards.geojson"
    features = [
        {
            "type": "Feature",
            "properties": {"slug": f"nrd-ward-{w}", "name": f"NRD Ward {w}"},
            "geometry": polygon(w, vertices, rng),
        }
        for w in range(wards)
    ]
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    staff = out / "staff.csv"
    with staff.open("w") as handle:
        handle.write("username,email,name,role,agency,district,neighbourhood\n")
        for u in range(users):
            role = ("officer", "partner", "officer", "supervisor")[u % 4]
            area = f",NRD District {u % DISTRICTS}," if role == "supervisor" else f",,NRD Ward {u % wards}"
            handle.write(f"nrd.user{u},nrd.user{u}@example.org,Person {u},{role},NRD Agency {u % AGENCIES}{area}\n")
    return geojson, staff


def timed(*args: str) -> tuple[float, str]:
    out = io.StringIO()
    started = time.perf_counter()
    with redirect_stdout(out):
        call_command(*args, stdout=out)
    return time.perf_counter() - started, out.getvalue().strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wards", type=int, default=9000)
    parser.add_argument("--users", type=int, default=30000)
    parser.add_argument("--vertices", type=int, default=60)
    parser.add_argument("--out", default="/tmp/national-reference")
    parser.add_argument("--files-only", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    places(args.wards)
    geojson, staff = write_files(Path(args.out), args.wards, args.users, args.vertices)
    size = geojson.stat().st_size / 1e6
    print(f"places and files in {time.perf_counter() - started:.1f} s: {geojson} ({size:.0f} MB), {staff}")
    if args.files_only:
        return
    for label, command in [
        ("load_boundaries, first load", ("load_boundaries", str(geojson))),
        ("load_boundaries, same file again", ("load_boundaries", str(geojson))),
        ("import_users, first load", ("import_users", str(staff))),
        ("import_users, same file again", ("import_users", str(staff))),
    ]:
        seconds, line = timed(*command)
        print(f"{label:<36} {seconds:7.1f} s   {line}")


if __name__ == "__main__":
    main()

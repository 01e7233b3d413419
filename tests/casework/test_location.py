"""The phone's position proposes the neighbourhood; boundaries load from GeoJSON."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from jps import selectors
from tests import factories as f

pytestmark = pytest.mark.django_db

#: A square ward with a square hole (a park run by another ward), in (longitude, latitude).
SQUARE = [[1.0, 51.0], [1.1, 51.0], [1.1, 51.1], [1.0, 51.1], [1.0, 51.0]]
HOLE = [[1.04, 51.04], [1.06, 51.04], [1.06, 51.06], [1.04, 51.06], [1.04, 51.04]]


def test_point_in_polygon_with_holes_and_multipolygons():
    polygon = {"type": "Polygon", "coordinates": [SQUARE, HOLE]}
    assert selectors.geometry_contains(polygon, latitude=51.02, longitude=1.02)
    assert not selectors.geometry_contains(polygon, latitude=51.05, longitude=1.05)  # in the hole
    assert not selectors.geometry_contains(polygon, latitude=51.2, longitude=1.02)
    multi = {"type": "MultiPolygon", "coordinates": [[SQUARE], [[[2, 52], [2.1, 52], [2.1, 52.1], [2, 52]]]]}
    assert selectors.geometry_contains(multi, latitude=52.01, longitude=2.05)
    assert not selectors.geometry_contains({"type": "Point", "coordinates": [1, 51]}, latitude=51, longitude=1)


def test_the_neighbourhood_containing_the_position_is_proposed(client, pcso, neighbourhood, district, tmp_path):
    next_door = f.NeighbourhoodFactory(
        district=district, name="Harbour", latitude=Decimal("52.0"), longitude=Decimal("1.5")
    )
    geojson = tmp_path / "wards.geojson"
    features = [
        {
            "type": "Feature",
            "properties": {"slug": neighbourhood.slug},
            "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
        },
        {
            "type": "Feature",
            "properties": {"name": "Nowhere ward"},
            "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
        },
    ]
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    call_command("load_boundaries", str(geojson))
    neighbourhood.refresh_from_db()
    assert neighbourhood.boundary["type"] == "Polygon"
    assert selectors.neighbourhood_at(user=pcso, latitude=51.02, longitude=1.02) == neighbourhood
    # No boundary: the nearest centre point within 5 km.
    assert selectors.neighbourhood_at(user=pcso, latitude=52.01, longitude=1.5) == next_door
    assert selectors.neighbourhood_at(user=pcso, latitude=40.0, longitude=1.5) is None
    client.force_login(pcso)
    url = reverse("neighbourhood_here")
    assert client.get(url, {"latitude": "51.02", "longitude": "1.02"}).json()["id"] == neighbourhood.pk
    assert client.get(url, {"latitude": "abc", "longitude": "1"}).status_code == 400
    assert client.get(url, {"latitude": "99", "longitude": "1"}).status_code == 400


def test_a_bad_geojson_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("not json")
    with pytest.raises(CommandError):
        call_command("load_boundaries", str(bad))
    with pytest.raises(CommandError):
        call_command("load_boundaries", str(tmp_path / "missing.geojson"))

"""The comparison behind ``scripts/compare_public_site.sh``: exports of the same data at the same moment are equal.

The script exports the demo from two revisions and calls ``compare``; these tests show that
the comparison can be trusted both ways: two exports of one database at one frozen moment
are byte-identical (so any difference the script reports comes from the code), and a
change residents would see is reported, file by file.
"""

from __future__ import annotations

import datetime
import importlib.util
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from jps.models import Problem
from publicsite.export import publish

from .site import priority_page

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "compare_public_site.py"
AT = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)


def _compare(before: Path, after: Path) -> list[str]:
    spec = importlib.util.spec_from_file_location("compare_public_site", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    differences: list[str] = module.compare(before, after)
    return differences


def _export(output: Path) -> None:
    with time_machine.travel(AT, tick=False):
        assert timezone.now() == AT
        publish(output=output, full=True)


def test_two_exports_of_the_same_data_at_the_same_moment_are_byte_identical(tmp_path, priorities) -> None:
    _export(tmp_path / "one")
    _export(tmp_path / "two")
    assert (tmp_path / "one" / "current").resolve().name != (tmp_path / "two" / "current").resolve().name
    assert _compare(tmp_path / "one", tmp_path / "two") == []


def test_a_change_residents_would_see_is_reported_file_by_file(tmp_path, priorities) -> None:
    _export(tmp_path / "before")
    current = priorities["current"]
    Problem.objects.filter(pk=current.pk).update(public_title="Speeding on the Military Road")
    _export(tmp_path / "after")
    differences = _compare(tmp_path / "before", tmp_path / "after")
    assert f"differs: {priority_page(current)}" in differences
    assert all(line.startswith("differs: ") for line in differences)

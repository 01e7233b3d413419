"""Reading an exported site in tests: where pages are, and every file of the served version."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def priority_page(problem: Any) -> str:
    """Where a priority's page is: under its force's code (its reference's prefix), then its reference."""
    return f"priorities/{problem.force.code.lower()}/{problem.reference.lower()}.html"


def nbhd_dir(neighbourhood: Any) -> str:
    """Where a neighbourhood's files are: under its force and district (district slugs repeat across forces)."""
    district = neighbourhood.district
    return f"neighbourhoods/{district.force.slug}/{district.slug}/{neighbourhood.slug}/"


def district_dir(district: Any) -> str:
    return f"districts/{district.force.slug}/{district.slug}/"


def version_files(version: Path) -> dict[str, bytes]:
    """Every file of a version (dot files too) by path relative to it, following its symlinks into the shard store."""
    out = {}
    for dirpath, _dirs, files in os.walk(version, followlinks=True):
        for name in files:
            path = Path(dirpath) / name
            out[str(path.relative_to(version))] = path.read_bytes()
    return out


def site_files(root: Path) -> dict[str, bytes]:
    """Every file of the version being served, by path relative to it."""
    return version_files(root / "current")

"""Onboarding partner staff from a CSV file.

Every row is checked before anything is written; a file with any bad row imports
nothing and reports every problem with its line number. Unknown agencies and areas
are created only when the caller asks (``create_missing``). A national file (30,000 staff)
is checked with one lookup per kind of name, not per row, and written in bulk
(``jps.user_bulk``: history rows included, the scopes set-based on PostgreSQL).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify

from .models import Agency, District, Force, Neighbourhood, User
from .progress import NoProgress, Progress
from .user_bulk import KnownNames, PlannedUser, users_write

REQUIRED_COLUMNS = ["username", "email", "name", "role", "agency"]
AREA_COLUMNS = ["district", "neighbourhood"]


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)
    created_agencies: set[str] = field(default_factory=set)
    created_areas: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    line: int
    username: str
    email: str
    first_name: str
    last_name: str
    role: str
    agency: str
    districts: list[str]
    neighbourhoods: list[str]


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


class UserImporter:
    def __init__(self, *, force: Force | None, create_missing: bool, progress: Progress | None = None) -> None:
        self.force = force
        self.create_missing = create_missing
        self.result = ImportResult()
        self.progress = progress or NoProgress()
        self.known = KnownNames()

    def run(self, stream: IO[str]) -> ImportResult:
        reader = csv.DictReader(stream)
        columns = [c.strip().lower() for c in reader.fieldnames or []]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            self.result.errors.append(f"The file lacks the column(s): {', '.join(missing)}.")
            return self.result
        if not any(c in columns for c in AREA_COLUMNS):
            self.result.errors.append("The file needs a 'district' or a 'neighbourhood' column.")
            return self.result
        self.progress.start("checking", None)
        rows = []
        for line, raw in enumerate(reader, start=2):
            rows.append(self._parse(line, raw))
            self.progress.advance()
        parsed = [row for row in rows if row is not None]
        self._check_duplicates(parsed)
        self.known = KnownNames.load(parsed, force=self.force)
        plan = [self._resolve(row) for row in parsed]
        self.progress.finish()
        if self.result.errors:
            return self.result
        with transaction.atomic():
            self.progress.start("importing", len(parsed))
            planned = [self._ensure(row, *resolved) for row, resolved in zip(parsed, plan, strict=True)]
            users_write(rows=planned, result=self.result, tick=self.progress.advance)
            self.progress.finish()
        return self.result

    def _error(self, line: int, message: str) -> None:
        self.result.errors.append(f"Line {line}: {message}")
        self.result.bad_lines.add(line)

    def _parse(self, line: int, raw: dict[str, str | None]) -> _Row | None:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        problems = [f"'{c}' is empty" for c in REQUIRED_COLUMNS if not row.get(c)]
        if row.get("email"):
            try:
                validate_email(row["email"])
            except ValidationError:
                problems.append(f"'{row['email']}' is not an email address")
        if row.get("role") and row["role"] not in User.Role.values:
            problems.append(f"role '{row['role']}' is not one of {', '.join(User.Role.values)}")
        if row.get("username") and not all(ch.isalnum() or ch in "@.+-_" for ch in row["username"]):
            problems.append(f"username '{row['username']}' may only hold letters, digits and @.+-_")
        districts, neighbourhoods = _split(row.get("district")), _split(row.get("neighbourhood"))
        if not districts and not neighbourhoods and row.get("role") in ("officer", "partner", "supervisor"):
            problems.append("an officer, partner or supervisor needs a district or a neighbourhood")
        if problems:
            self._error(line, "; ".join(problems) + ".")
            return None
        first, _, last = row["name"].partition(" ")
        return _Row(
            line, row["username"], row["email"], first, last, row["role"], row["agency"], districts, neighbourhoods
        )

    def _check_duplicates(self, rows: Iterable[_Row]) -> None:
        seen: dict[str, int] = {}
        for row in rows:
            key = row.username.lower()
            if key in seen:
                self._error(row.line, f"username '{row.username}' already appears on line {seen[key]}.")
            seen[key] = row.line

    def _resolve(self, row: _Row) -> tuple[Agency | None, list[District | str], list[Neighbourhood | str]]:
        agency = self.known.agency(row.agency)
        if agency is None and not self.create_missing:
            self._error(row.line, f"agency '{row.agency}' is unknown (use --create-missing to create it).")
        districts: list[District | str] = []
        for name in row.districts:
            district = self.known.district(name)
            if district is None and not (self.create_missing and self.force):
                self._error(row.line, f"district '{name}' is unknown" + self._create_hint())
            districts.append(district or name)
        neighbourhoods: list[Neighbourhood | str] = []
        for name in row.neighbourhoods:
            ward = self.known.neighbourhood(name)
            if ward is None and not (self.create_missing and self.force and len(row.districts) == 1):
                self._error(
                    row.line,
                    f"neighbourhood '{name}' is unknown"
                    + (
                        self._create_hint()
                        if len(row.districts) == 1
                        else " (to create it, give exactly one district on the same row and use --create-missing)."
                    ),
                )
            neighbourhoods.append(ward or name)
        return agency, districts, neighbourhoods

    def _create_hint(self) -> str:
        return (
            " (use --create-missing with --force to create it)."
            if not self.force
            else (" (use --create-missing to create it).")
        )

    def _ensure(self, row: _Row, agency: Agency | None, districts: list, neighbourhoods: list) -> PlannedUser:
        """Create what the row names and is missing (with ``create_missing``: agencies and areas are few)."""
        if agency is None:
            agency, _ = Agency.objects.get_or_create(
                name=row.agency, defaults={"kind": Agency.Kind.OTHER, "force": self.force}
            )
            self.result.created_agencies.add(agency.name)
        resolved_districts = [self._ensure_district(d) for d in districts]
        resolved_wards = [self._ensure_ward(n, resolved_districts) for n in neighbourhoods]
        return PlannedUser(
            username=row.username,
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            role=row.role,
            agency_id=agency.pk,
            district_ids=frozenset(d.pk for d in resolved_districts),
            neighbourhood_ids=frozenset(n.pk for n in resolved_wards),
        )

    def _ensure_district(self, value: District | str) -> District:
        if isinstance(value, District):
            return value
        assert self.force is not None
        district, created = District.objects.get_or_create(
            force=self.force, slug=slugify(value), defaults={"name": value}
        )
        if created:
            self.result.created_areas.add(f"district {value}")
        return district

    def _ensure_ward(self, value: Neighbourhood | str, districts: list[District]) -> Neighbourhood:
        if isinstance(value, Neighbourhood):
            return value
        ward, created = Neighbourhood.objects.get_or_create(
            district=districts[0], slug=slugify(value), defaults={"name": value}
        )
        if created:
            self.result.created_areas.add(f"neighbourhood {value}")
        return ward


def users_import_csv(
    *, stream: IO[str], force: Force | None = None, create_missing: bool = False, progress: Progress | None = None
) -> ImportResult:
    return UserImporter(force=force, create_missing=create_missing, progress=progress).run(stream)


# --- where a user works ------------------------------------------------------------------------


# --- users ------------------------------------------------------------------------------------


def user_scope_set(*, user: User, districts: Iterable[Any] = (), neighbourhoods: Iterable[Any] = ()) -> User:
    """Set where a user works; clears the cached scope so permissions follow at once."""
    user.districts.set(list(districts))
    user.neighbourhoods.set(list(neighbourhoods))
    user.__dict__.pop("scope_district_ids", None)
    return user

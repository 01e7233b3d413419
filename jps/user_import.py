"""Onboarding partner staff from a CSV file.

Every row is checked before anything is written; a file with any bad row imports
nothing and reports every problem with its line number. Unknown agencies and areas
are created only when the caller asks (``create_missing``).
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

REQUIRED_COLUMNS = ["username", "email", "name", "role", "agency"]
AREA_COLUMNS = ["district", "neighbourhood"]


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
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
    def __init__(self, *, force: Force | None, create_missing: bool) -> None:
        self.force = force
        self.create_missing = create_missing
        self.result = ImportResult()

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
        rows = [self._parse(line, raw) for line, raw in enumerate(reader, start=2)]
        parsed = [row for row in rows if row is not None]
        self._check_duplicates(parsed)
        plan = [self._resolve(row) for row in parsed]
        if self.result.errors:
            return self.result
        with transaction.atomic():
            for row, (agency, districts, neighbourhoods) in zip(parsed, plan, strict=True):
                self._save(row, agency, districts, neighbourhoods)
        return self.result

    def _error(self, line: int, message: str) -> None:
        self.result.errors.append(f"Line {line}: {message}")

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
        agency = Agency.objects.filter(name__iexact=row.agency).first()
        if agency is None and not self.create_missing:
            self._error(row.line, f"agency '{row.agency}' is unknown (use --create-missing to create it).")
        districts: list[District | str] = []
        for name in row.districts:
            district = self._find_district(name)
            if district is None and not (self.create_missing and self.force):
                self._error(row.line, f"district '{name}' is unknown" + self._create_hint())
            districts.append(district or name)
        neighbourhoods: list[Neighbourhood | str] = []
        for name in row.neighbourhoods:
            ward = self._find_neighbourhood(name)
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

    def _find_district(self, name: str) -> District | None:
        found = District.objects.filter(name__iexact=name)
        if self.force:
            found = found.filter(force=self.force)
        return found.first()

    def _find_neighbourhood(self, name: str) -> Neighbourhood | None:
        found = Neighbourhood.objects.filter(name__iexact=name)
        if self.force:
            found = found.filter(district__force=self.force)
        return found.first()

    def _save(self, row: _Row, agency: Agency | None, districts: list, neighbourhoods: list) -> None:
        if agency is None:
            agency, _ = Agency.objects.get_or_create(
                name=row.agency, defaults={"kind": Agency.Kind.OTHER, "force": self.force}
            )
            self.result.created_agencies.add(agency.name)
        resolved_districts = [self._ensure_district(d) for d in districts]
        resolved_wards = [self._ensure_ward(n, resolved_districts) for n in neighbourhoods]
        user = User.objects.filter(username__iexact=row.username).first()
        is_new = user is None
        if user is None:
            user = User(username=row.username)
            user.set_unusable_password()  # they choose one through the link emailed once the import commits
        user.email, user.first_name, user.last_name = row.email, row.first_name, row.last_name
        user.role, user.agency = row.role, agency
        user.save()
        user_scope_set(user=user, districts=resolved_districts, neighbourhoods=resolved_wards)
        (self.result.created if is_new else self.result.updated).append(row.username)
        if is_new:
            _account_email_queue(user)

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


def _account_email_queue(user: User) -> None:
    """A new account is told, by the worker once the import commits, where to choose its password."""
    from tasks import emails  # jps must not import tasks at module level
    from tasks.queue import enqueue_on_commit

    enqueue_on_commit(emails.account_created_email, user_id=user.pk)


def users_import_csv(*, stream: IO[str], force: Force | None = None, create_missing: bool = False) -> ImportResult:
    return UserImporter(force=force, create_missing=create_missing).run(stream)


# --- where a user works ------------------------------------------------------------------------


# --- users ------------------------------------------------------------------------------------


def user_scope_set(*, user: User, districts: Iterable[Any] = (), neighbourhoods: Iterable[Any] = ()) -> User:
    """Set where a user works; clears the cached scope so permissions follow at once."""
    user.districts.set(list(districts))
    user.neighbourhoods.set(list(neighbourhoods))
    user.__dict__.pop("scope_district_ids", None)
    return user

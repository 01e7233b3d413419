"""What is public: the ONE place that decides which problems and which fields residents see.

Only problems marked ``public_priority`` are published (and of those agreed at a PACT meeting,
only once the force's web editor has approved their public words), and of them only the fields
listed on ``PublicPriority``: the title for the public, category, neighbourhood, date
adopted, lead agency, approved public updates (their public text and date), the public
outcome and the date closed. Descriptions, problem statements, locations, coordinates,
originators, contacts, analyses, actions, reviews, people's names and internal or
unapproved update text never leave this module, because the renderer, the feeds, the
machine-readable files and the alert digests all read ``PublicPriority`` objects only.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from .models import (
    CLOSED_STAGES,
    Assessment,
    Attachment,
    District,
    MeetingItem,
    Neighbourhood,
    Problem,
    ProgressUpdate,
    User,
)
from .problems.selectors import neighbourhood_among

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublicUpdate:
    text: str
    date: datetime.date
    at: datetime.datetime
    text_cy: str = ""  # in Welsh, where the force publishes in Welsh (blank: none)
    #: The storage name of the photo a web editor published with it (our re-encoded copy), and its alt text.
    photo: str = ""
    photo_alt: str = ""


@dataclass(frozen=True)
class PublicPriority:
    """A public priority as residents see it; built only from public fields."""

    id: int
    reference: str
    title: str
    category: str
    category_slug: str
    neighbourhood_id: int
    district_id: int
    adopted_on: datetime.date
    lead_agency: str
    is_closed: bool
    closed_on: datetime.date | None
    closed_at: datetime.datetime | None
    outcome: str
    updates: tuple[PublicUpdate, ...] = field(default_factory=tuple)  # oldest first
    title_cy: str = ""  # the Welsh twins (``jps.welsh``); blank where none was written
    outcome_cy: str = ""

    @property
    def slug(self) -> str:
        return self.reference.lower()

    @property
    def latest_update(self) -> PublicUpdate | None:
        return self.updates[-1] if self.updates else None

    @property
    def last_changed(self) -> datetime.datetime:
        """When the public content last changed: adoption, an approved update, or closure."""
        tz = timezone.get_current_timezone()
        moments = [datetime.datetime.combine(self.adopted_on, datetime.time(), tzinfo=tz)]
        moments += [u.at for u in self.updates]
        if self.closed_at:
            moments.append(self.closed_at)
        return max(moments)


#: The problem's fields that ``PublicPriority`` is built from: a change to any of them on a public
#: priority (or its withdrawal) must reach the public site at once, not at the nightly export.
PUBLISHED_PROBLEM_FIELDS = frozenset(
    {
        "public_priority",
        "adopted_on",
        "public_title",
        "public_title_cy",
        "title",
        "category",
        "neighbourhood",
        "lead_agency",
    }
)


def awaiting_web_editor() -> QuerySet[MeetingItem]:
    """Priorities agreed at PACT meetings whose public title and summary the web editor has not yet approved."""
    return MeetingItem.objects.filter(publication=MeetingItem.Publication.PENDING)


def public_problems() -> QuerySet[Problem]:
    """The problems that may be published at all.

    A priority agreed at a PACT meeting is a public priority to staff from the meeting's date, but
    reaches the public only once the web editor has approved its words (``awaiting_web_editor``).
    """
    waiting = awaiting_web_editor().filter(problem_id=OuterRef("pk"))
    return Problem.objects.filter(public_priority=True, adopted_on__isnull=False).exclude(Exists(waiting))


def _to_public(
    problem: Problem, updates: list[ProgressUpdate], outcome: tuple[str, str], photos: dict[int, tuple[str, str]]
) -> PublicPriority:
    closed = problem.stage in CLOSED_STAGES
    assert problem.adopted_on is not None
    return PublicPriority(
        id=problem.pk,
        reference=problem.reference,
        title=problem.public_name,
        category=problem.category.name,
        category_slug=problem.category.slug,
        neighbourhood_id=problem.neighbourhood_id,
        district_id=problem.district_id,
        adopted_on=problem.adopted_on,
        lead_agency=problem.lead_agency.name,
        is_closed=closed,
        closed_on=timezone.localdate(problem.closed_at) if closed and problem.closed_at else None,
        closed_at=problem.closed_at if closed else None,
        outcome=outcome[0] if closed else "",
        outcome_cy=outcome[1] if closed else "",
        title_cy=problem.public_title_cy,
        updates=tuple(
            PublicUpdate(
                text=u.public_text,
                text_cy=u.public_text_cy,
                date=timezone.localdate(u.decided_at),
                at=u.decided_at,
                photo=photos.get(u.pk, ("", ""))[0],
                photo_alt=photos.get(u.pk, ("", ""))[1],
            )
            for u in updates
            if u.decided_at and u.public_text.strip()
        ),
    )


def public_priorities(
    *, ids: Iterable[int] | None = None, district_ids: Iterable[int] | None = None
) -> list[PublicPriority]:
    """Every public priority (or those of ``ids`` / in ``district_ids`` that are public), newest adopted first."""
    qs = public_problems().select_related("category", "lead_agency").order_by("-adopted_on", "-pk")
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    if district_ids is not None:
        qs = qs.filter(district_id__in=list(district_ids))
    problems = list(qs)
    updates: dict[int, list[ProgressUpdate]] = {}
    approved = ProgressUpdate.objects.filter(
        problem__in=problems, status=ProgressUpdate.Status.APPROVED, decided_at__isnull=False
    ).order_by("decided_at", "pk")
    for update in approved.only("problem_id", "public_text", "public_text_cy", "decided_at"):
        updates.setdefault(update.problem_id, []).append(update)
    outcomes = {
        pk: (english, welsh)
        for pk, english, welsh in Assessment.objects.filter(
            problem__in=[p for p in problems if p.stage in CLOSED_STAGES]
        ).values_list("problem_id", "public_outcome", "public_outcome_cy")
    }
    photos = published_photos(update_ids=[u.pk for rows in updates.values() for u in rows])
    return [_to_public(p, updates.get(p.pk, []), outcomes.get(p.pk, ("", "")), photos) for p in problems]


def published_photos(*, update_ids: list[int]) -> dict[int, tuple[str, str]]:
    """``{update id: (storage name, alt text)}``: the one image a web editor approved with each update.

    Only an image (a database constraint), not removed, with alt text: never a document, never a
    file staff did not have approved (docs/security.md, "Attachments").
    """
    rows = Attachment.objects.filter(
        public_update_id__in=update_ids, kind=Attachment.Kind.IMAGE, removed_at=None, public_approved_by__isnull=False
    ).exclude(public_alt_text="")
    return {
        update_id: (name, alt)
        for update_id, name, alt in rows.values_list("public_update_id", "file", "public_alt_text")
        if name
    }


def public_priority_places(*, ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Where those of ``ids`` that are public now are: ``{id: (neighbourhood_id, district_id)}``.

    An incremental export asks this of the few problems that changed, to know which
    districts to load, before loading any priority in full.
    """
    rows = public_problems().filter(pk__in=list(ids)).values_list("pk", "neighbourhood_id", "district_id")
    return {pk: (nbhd, district) for pk, nbhd, district in rows}


def problem_references(*, ids: Iterable[int]) -> dict[int, str]:
    """The references of these problems (public or not): they never change, and place a priority's page."""
    return dict(Problem.objects.filter(pk__in=list(ids)).values_list("pk", "reference"))


def current_priority_counts() -> dict[int, int]:
    """The number of current (not closed) public priorities in each district: one aggregate query."""
    rows = (
        public_problems()
        .exclude(stage__in=CLOSED_STAGES)
        .order_by()
        .values("district_id")
        .annotate(n=Count("pk"))
        .values_list("district_id", "n")
    )
    return dict(rows)


def public_neighbourhoods(*, district_ids: Iterable[int] | None = None) -> QuerySet[Neighbourhood]:
    qs = Neighbourhood.objects.select_related("district", "district__force").order_by("district__name", "name")
    return qs if district_ids is None else qs.filter(district_id__in=list(district_ids))


def public_districts() -> QuerySet[District]:
    """The districts that have a public page: those with at least one neighbourhood."""
    return (
        District.objects.filter(pk__in=Neighbourhood.objects.values("district_id"))
        .select_related("force")
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class PublicOfficer:
    """A member of a neighbourhood team as residents see them: a name and a rank, nothing else."""

    name: str
    rank: str


#: Who may appear on a team page at all (and then only with ``User.publish_on_team_page``).
TEAM_ROLES = (User.Role.SUPERVISOR, User.Role.OFFICER)


def public_team(*, neighbourhoods: Iterable[Neighbourhood]) -> dict[int, list[PublicOfficer]]:
    """Each neighbourhood's team as published: active officers of it, and supervisors of its district,
    who agreed to be named (``User.publish_on_team_page``); supervisors first, then by name.

    Three queries whatever the number of neighbourhoods. Staff without a full name are left out
    rather than published by username.
    """
    places = list(neighbourhoods)
    members: dict[int, set[int]] = {n.pk: set() for n in places}
    in_district: dict[int, list[int]] = defaultdict(list)
    for n in places:
        in_district[n.district_id].append(n.pk)
    named = User.objects.filter(is_active=True, publish_on_team_page=True, role__in=TEAM_ROLES)
    for user_id, nid in User.neighbourhoods.through.objects.filter(
        neighbourhood_id__in=list(members), user__in=named
    ).values_list("user_id", "neighbourhood_id"):
        members[nid].add(user_id)
    for user_id, did in User.districts.through.objects.filter(
        district_id__in=list(in_district), user__in=named.filter(role=User.Role.SUPERVISOR)
    ).values_list("user_id", "district_id"):
        for nid in in_district[did]:
            members[nid].add(user_id)
    users = {u.pk: u for u in named.filter(pk__in={pk for ids in members.values() for pk in ids})}
    order: dict[str, int] = {role: i for i, role in enumerate(TEAM_ROLES)}
    team: dict[int, list[PublicOfficer]] = {}
    for nid, ids in members.items():
        people = sorted((users[pk] for pk in ids if users[pk].get_full_name()),
                        key=lambda u: (order[u.role], u.last_name, u.first_name, u.pk))  # fmt: skip
        team[nid] = [PublicOfficer(name=u.get_full_name(), rank=u.rank or u.get_role_display()) for u in people]
    return team


def police_uk_ids(neighbourhood: Neighbourhood) -> tuple[str, str]:
    """A neighbourhood's identifiers in the data.police.uk mirror: its force's slug, and
    ``<district slug>.<neighbourhood slug>`` (slugs are unique only within a district and never hold a dot).

    The public site's ``api/`` files and the web's ``locate-neighbourhood`` both name places this way.
    """
    district = neighbourhood.district
    return district.force.slug, f"{district.slug}.{neighbourhood.slug}"


#: How far (in degrees, about 50 km) from a point a neighbourhood's centre may be for its boundary to be tried.
LOCATE_BOX = 0.5


def public_neighbourhood_at(*, latitude: float, longitude: float) -> Neighbourhood | None:
    """The neighbourhood a point is in, for anyone (``locate-neighbourhood``): by boundary, else nearest centre.

    Only neighbourhoods whose centre is near the point (or that have no centre) are loaded, so a
    national table is not read in full per request. Answers a place's name and force, both public.
    """
    near = Neighbourhood.objects.filter(
        latitude__range=(latitude - LOCATE_BOX, latitude + LOCATE_BOX),
        longitude__range=(longitude - LOCATE_BOX, longitude + LOCATE_BOX),
    ) | Neighbourhood.objects.filter(latitude__isnull=True)
    places = list(near.select_related("district__force").order_by("pk"))
    return neighbourhood_among(places, latitude=latitude, longitude=longitude)


def problems_changed_since(*, since: datetime.datetime) -> set[int]:
    """Problems whose public pages may differ since ``since`` (including ones no longer public).

    ``updated_at`` moves on every save of the problem (a title, the public flag, a move
    to another neighbourhood, a stage change); approved updates move ``decided_at``, and so does
    the web editor's decision on a PACT priority (its meeting item); the public outcome lives
    on the assessment.
    """
    ids = set(Problem.objects.filter(updated_at__gt=since).values_list("pk", flat=True))
    ids |= set(ProgressUpdate.objects.filter(decided_at__gt=since).values_list("problem_id", flat=True))
    decided = MeetingItem.objects.filter(decided_at__gt=since, problem__isnull=False)
    ids |= set(decided.values_list("problem_id", flat=True))
    ids |= set(Assessment.objects.filter(updated_at__gt=since).values_list("problem_id", flat=True))
    ids |= set(Attachment.objects.filter(public_approved_at__gt=since).values_list("problem_id", flat=True))
    ids |= set(Attachment.objects.filter(removed_at__gt=since).values_list("problem_id", flat=True))
    return ids


@dataclass(frozen=True)
class DigestItem:
    neighbourhood_id: int
    title: str
    reference: str
    kind: str  # "update" or "outcome"
    text: str
    date: datetime.date


def digest_items(
    *, neighbourhood_ids: Iterable[int], since: datetime.datetime, until: datetime.datetime
) -> list[DigestItem]:
    """Newly approved public updates and outcomes of public priorities in these neighbourhoods."""
    ids = list(neighbourhood_ids)
    items: list[DigestItem] = []
    updates = (
        ProgressUpdate.objects.filter(
            problem__in=public_problems().filter(neighbourhood_id__in=ids),
            status=ProgressUpdate.Status.APPROVED,
            decided_at__gt=since,
            decided_at__lte=until,
        )
        .select_related("problem")
        .order_by("decided_at")
    )
    for u in updates:
        if u.public_text.strip() and u.decided_at:
            p = u.problem
            items.append(
                DigestItem(
                    p.neighbourhood_id,
                    p.public_name,
                    p.reference,
                    "update",
                    u.public_text,
                    timezone.localdate(u.decided_at),
                )
            )
    closed = public_problems().filter(
        neighbourhood_id__in=ids, stage__in=CLOSED_STAGES, closed_at__gt=since, closed_at__lte=until
    )
    for p in closed.order_by("closed_at"):
        assert p.closed_at is not None
        outcome = Assessment.objects.filter(problem=p).values_list("public_outcome", flat=True).first() or ""
        items.append(
            DigestItem(
                p.neighbourhood_id,
                p.public_name,
                p.reference,
                "outcome",
                outcome or "This priority has been closed.",
                timezone.localdate(p.closed_at),
            )
        )
    return items


class SiteExport(Protocol):
    """What an export reports: the version it switched into place, whether it was full, the files it wrote."""

    version: str
    full: bool
    written: list[str]


#: ``exporter(full=...)``: the public-site package's ``publish``, registered by its AppConfig.
Exporter = Callable[..., SiteExport]
_exporter: Exporter | None = None


def exporter_register(exporter: Exporter) -> None:
    """Install the function that renders and stores the site (``publicsite.export.publish``).

    ``jps`` decides *what* is public; how it is rendered and where the files go belong to the
    public-site package, which registers itself here when it starts, as the web registers its
    link resolver with ``jps.links``. So the publishing job calls ``site_publish`` and imports
    neither the renderer nor anything of the web.
    """
    global _exporter
    _exporter = exporter


def site_publish(*, full: bool = False) -> SiteExport:
    """Export the public site: incremental from the version being served unless ``full``.

    The one service the publishing job (and anything else that wants the site now) calls.
    """
    if _exporter is None:
        raise ImproperlyConfigured("No public-site exporter: add 'publicsite' to INSTALLED_APPS.")
    result = _exporter(full=full)
    logger.info("Public site %s: %d files written", result.version, len(result.written))
    return result


def publish_soon(*, reason: str) -> None:
    """Queue an incremental export once the current transaction commits.

    ``jps`` does not import ``tasks`` at module level (arrows point inward); the import is
    local. If the broker is down the write that triggered this still succeeds: we log,
    and the nightly full export catches up.
    """

    def queue() -> None:
        from tasks.publishing import publish_site_task
        from tasks.queue import enqueue

        if not enqueue(publish_site_task, full=False):
            logger.error("Could not queue the public site export (%s); the nightly export will catch up.", reason)

    connection = transaction.get_connection()
    # One export per transaction is enough: it sees every change the transaction made. (A pending
    # callback still listed was registered in this transaction or a savepoint that encloses us now,
    # so it cannot be rolled back without this change being rolled back too.)
    if connection.in_atomic_block and any(
        getattr(entry[1], "jps_publish", False) for entry in connection.run_on_commit
    ):
        return
    queue.jps_publish = True  # type: ignore[attr-defined]
    transaction.on_commit(queue)


def publish_soon_cancel() -> None:
    """Drop the export ``publish_soon`` queued in the current transaction: the caller publishes itself.

    For a bulk load (the demo) that makes thousands of public changes and is followed by one
    full export (``make demo``): without this, the load's commit exported the site too.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        connection.run_on_commit = [
            entry for entry in connection.run_on_commit if not getattr(entry[1], "jps_publish", False)
        ]


__all__ = [
    "PUBLISHED_PROBLEM_FIELDS",
    "awaiting_web_editor",
    "DigestItem",
    "PublicOfficer",
    "PublicPriority",
    "PublicUpdate",
    "SiteExport",
    "current_priority_counts",
    "digest_items",
    "exporter_register",
    "problem_references",
    "police_uk_ids",
    "problems_changed_since",
    "public_districts",
    "public_neighbourhood_at",
    "public_neighbourhoods",
    "public_priorities",
    "public_priority_places",
    "public_problems",
    "public_team",
    "publish_soon",
    "publish_soon_cancel",
    "site_publish",
]

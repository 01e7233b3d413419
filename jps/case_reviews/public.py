"""The statutory case review figures as the public site publishes them: counts per force and CSP area, by
year and quarter of the date received. Built from ``selectors.case_review_figures`` (the one count) and
nothing else, so no name, reference or date of any application can reach a public file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import District
from .selectors import case_review_figures

#: The four counts the Act asks the relevant bodies to publish, by key and column heading.
COUNTS = (
    ("received", "Applications received"),
    ("threshold_not_met", "Threshold not met"),
    ("reviews", "Reviews carried out"),
    ("with_recommendations", "Reviews leading to recommendations"),
)


@dataclass
class Counts:
    received: int = 0
    threshold_not_met: int = 0
    reviews: int = 0
    with_recommendations: int = 0

    def add(self, other: Counts) -> None:
        for key, _label in COUNTS:
            setattr(self, key, getattr(self, key) + getattr(other, key))

    def as_dict(self) -> dict[str, int]:
        return {key: getattr(self, key) for key, _label in COUNTS}


@dataclass
class AreaFigures:
    """One CSP area: its years (totals) and each quarter with any application, oldest first."""

    name: str
    slug: str
    years: dict[int, Counts] = field(default_factory=dict)
    quarters: dict[tuple[int, int], Counts] = field(default_factory=dict)


@dataclass
class ForceFigures:
    name: str
    slug: str
    areas: list[AreaFigures] = field(default_factory=list)

    @property
    def years(self) -> dict[int, Counts]:
        """The force's totals per year: the sum of its areas'."""
        totals: dict[int, Counts] = {}
        for area in self.areas:
            for year, counts in area.years.items():
                totals.setdefault(year, Counts()).add(counts)
        return dict(sorted(totals.items()))


def public_case_review_figures(*, districts: list[District]) -> list[ForceFigures]:
    """Every force of ``districts`` with each of its areas (those with no application too: a published nil
    return is a figure), in one aggregate query."""
    by_force: dict[int, ForceFigures] = {}
    areas: dict[int, AreaFigures] = {}
    for district in sorted(districts, key=lambda d: (d.force.name, d.name, d.pk)):
        force = by_force.setdefault(district.force_id, ForceFigures(district.force.name, district.force.slug))
        areas[district.pk] = AreaFigures(district.name, district.slug)
        force.areas.append(areas[district.pk])
    rows = case_review_figures(districts=District.objects.filter(pk__in=list(areas)))
    for row in rows:
        area = areas[row.district_id]
        counts = Counts(row.received, row.threshold_not_met, row.reviews, row.with_recommendations)
        area.quarters[(row.year, row.quarter)] = counts
        area.years.setdefault(row.year, Counts()).add(counts)
    return list(by_force.values())

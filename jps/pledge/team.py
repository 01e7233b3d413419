"""Writes behind the public team page: one's own consent, rank and photo; a neighbourhood's team details.

Nothing about a person is published without their consent (``User.publish_on_team_page``), and the
photo only beside a consenting name. Withdrawing consent (or removing the photo) queues a *full*
export, so the name and the photo's file leave the public site at once rather than at the nightly
export (an incremental run keeps the files of the shards it does not rewrite). Photos are checked
and re-encoded as the residents' are (``jps.residents.photos``): no EXIF, no location, a random name.
"""

from __future__ import annotations

from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction

from ..base import require, save
from ..models import Neighbourhood, User
from ..publishing import publish_soon
from ..residents.photos import photo_check, photo_reencode

#: The longest "where to find us" (in each language).
TEAM_BASE_MAX = 1000


@transaction.atomic
def team_entry_set(*, person: User, by: User, publish: bool, rank: str) -> User:
    """Give or withdraw ``person``'s consent to be named on their neighbourhoods' pages, and set their rank.

    Only the person themselves (``jps.change_own_team_entry``). To be named they need a full name
    (we never publish a username) and a rank residents understand.
    """
    _require_themselves(person, by)
    rank = rank.strip()
    if len(rank) > 60:
        raise ValidationError({"rank": "Rank must be 60 characters or fewer"})
    if publish and not rank:
        raise ValidationError({"rank": "Enter your rank or title, for example PCSO, PC or Sergeant"})
    if publish and not person.get_full_name().strip():
        raise ValidationError({"publish": "Your account has no full name: ask an administrator to add it first"})
    withdrawn = person.publish_on_team_page and not publish
    person.publish_on_team_page, person.rank = publish, rank
    reason = "consent to the team page given" if publish else "consent to the team page withdrawn"
    save(person, by=by, reason=reason, update_fields=["publish_on_team_page", "rank"])
    publish_soon(reason=f"team page: {reason}", full=withdrawn)
    return person


@transaction.atomic
def team_photo_set(*, person: User, by: User, upload: IO[bytes], size: int, content_type: str = "") -> User:
    """Store ``person``'s photo for the team page, re-encoded with every piece of metadata dropped."""
    _require_themselves(person, by)
    photo_check(upload, size=size, content_type=content_type)
    clean = photo_reencode(upload)
    old = person.team_photo.name if person.team_photo else ""
    person.team_photo.save("photo.jpg", ContentFile(clean.content), save=False)
    save(person, by=by, reason="team page photo changed", update_fields=["team_photo"])
    if old:
        _delete_after_commit(old, person)
    # a replaced photo's old file must leave the site too: a full export (only if it was public)
    publish_soon(reason="team page photo changed", full=bool(old) and person.publish_on_team_page)
    return person


@transaction.atomic
def team_photo_remove(*, person: User, by: User) -> User:
    _require_themselves(person, by)
    if not person.team_photo:
        return person
    old = str(person.team_photo.name)
    person.team_photo = ""  # type: ignore[assignment]
    save(person, by=by, reason="team page photo removed", update_fields=["team_photo"])
    _delete_after_commit(old, person)
    publish_soon(reason="team page photo removed", full=True)
    return person


def _require_themselves(person: User, by: User) -> None:
    """Consent is one's own: the rule says so, and this holds for superusers too (whom Django lets do anything)."""
    if person.pk != by.pk:
        raise PermissionDenied("Only the person themselves gives or withdraws consent to be on the team page.")
    require(by, "jps.change_own_team_entry", person)


def _delete_after_commit(name: str, person: User) -> None:
    storage = person.team_photo.storage
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def neighbourhood_team_set(
    *, neighbourhood: Neighbourhood, by: User, team_email: str, team_base: str, team_base_cy: str = ""
) -> Neighbourhood:
    """The team's shared email and where to find them (the station, surgeries, office hours), both published."""
    require(by, "jps.change_team_details", neighbourhood)
    team_email, team_base, team_base_cy = team_email.strip(), team_base.strip(), team_base_cy.strip()
    if team_email:
        try:
            validate_email(team_email)
        except ValidationError:
            raise ValidationError({"team_email": "Enter an email address like team@force.police.uk"}) from None
    for field, text in (("team_base", team_base), ("team_base_cy", team_base_cy)):
        if len(text) > TEAM_BASE_MAX:
            raise ValidationError({field: f"Where to find the team must be {TEAM_BASE_MAX} characters or fewer"})
    neighbourhood.team_email, neighbourhood.team_base, neighbourhood.team_base_cy = team_email, team_base, team_base_cy
    fields = ["team_email", "team_base", "team_base_cy"]
    save(neighbourhood, by=by, reason="team details changed", update_fields=fields)
    publish_soon(reason=f"team details of {neighbourhood} changed")
    return neighbourhood

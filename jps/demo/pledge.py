"""Demo team pages and Pledge (issue 20): named officers with photos, Northgate's team details, and the "why not".

The Canterbury PCSO and sergeant agree to be named, with photos (drawn here with Pillow: no binary in
the repository); the Herne Bay PCSO is named without one; the other officers did not agree, so the
pages count them only. Northgate gets a team email and "where to find us" in English and Welsh. Of
Northgate's months that missed a Pledge commitment, the most recent is explained by its sergeant and
the others are left for the prompt on "My work". Through ``jps.services``, as the people would.
Idempotent: a user already named, or an explanation already recorded, is left alone.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image, ImageDraw

from jps import models as m
from jps import selectors, services

#: username: (rank, photo colour or None).
NAMED = {"officer": ("PCSO", (29, 112, 184)), "supervisor": ("Sergeant", (0, 112, 60)), "pcso_herne": ("PCSO", None)}

NORTHGATE = {
    "team_email": "northgate.team@kent.police.example",
    "team_base": "Canterbury police station, Old Dover Road, CT1 3JQ.\n"
    "Drop-in surgery: Northgate Community Centre, first Tuesday of the month, 10am to noon.",
    "team_base_cy": "Gorsaf heddlu Caergaint, Old Dover Road, CT1 3JQ.\n"
    "Cymhorthfa: Canolfan Gymunedol Northgate, dydd Mawrth cyntaf y mis, 10am tan hanner dydd.",
}
#: The sergeant's "why not", by commitment (English, Welsh).
WHY_NOT = {
    "meetings": (
        "The meeting was cancelled at short notice when the community centre's heating failed; residents' "
        "questions were answered at the next month's meeting.",
        "Cafodd y cyfarfod ei ganslo ar fyr rybudd pan fethodd gwres y ganolfan gymunedol.",
    ),
    "priority_updates": (
        "The team was moved to the city centre for the Christmas events and the updates waited until January.",
        "Symudwyd y tîm i ganol y ddinas ar gyfer digwyddiadau'r Nadolig.",
    ),
    "victims_updated": (
        "Two calls to victims were made a day late while the team covered the city centre's events.",
        "Gwnaed dwy alwad i ddioddefwyr ddiwrnod yn hwyr.",
    ),
}


def _portrait(colour: tuple[int, int, int]) -> io.BytesIO:
    """A small placeholder portrait: a head and shoulders on a coloured ground."""
    image = Image.new("RGB", (240, 300), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((75, 50, 165, 150), fill=(240, 220, 200))
    draw.rectangle((45, 170, 195, 300), fill=(11, 12, 12))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    out.seek(0)
    return out


def load_demo_pledge(*, log: Callable[[str], None] = print) -> None:
    named = 0
    for username, (rank, colour) in NAMED.items():
        user = m.User.objects.filter(username=username).first()
        if user is None or user.publish_on_team_page:
            continue
        services.team_entry_set(person=user, by=user, publish=True, rank=rank)
        if colour is not None:
            photo = _portrait(colour)
            services.team_photo_set(person=user, by=user, upload=photo, size=len(photo.getvalue()))
        named += 1
    northgate = m.Neighbourhood.objects.get(district__force__code="KNT", name="Northgate")
    supervisor = m.User.objects.get(username="supervisor")
    if not northgate.team_base:
        services.neighbourhood_team_set(neighbourhood=northgate, by=supervisor, **NORTHGATE)
    explained = 0
    if not m.PledgeExplanation.objects.filter(neighbourhood=northgate).exists():
        misses = [
            miss
            for miss in selectors.pledge_misses_for(user=supervisor)
            if miss.neighbourhood == northgate and miss.commitment.slug in WHY_NOT
        ]
        if misses:
            latest = max(misses, key=lambda miss: miss.month)
            text, text_cy = WHY_NOT[latest.commitment.slug]
            services.pledge_explanation_record(
                neighbourhood=northgate, commitment=latest.commitment.slug, month=latest.month,
                text=text, text_cy=text_cy, by=supervisor,
            )  # fmt: skip
            explained = 1
    log(f"Demo team pages: {named} officers named; Pledge: {explained} explanation recorded.")

"""Writes of the Pledge: a supervisor records why a commitment was missed in a month ("why not").

The explanation is published beside the month on the neighbourhood's Pledge page (English, and the
Welsh when given), so it is public text: the form asks for no names, and the public site shows
nothing else of the record (not who wrote it).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..base import require, save
from ..models import Neighbourhood, PledgeExplanation, User
from ..models.fields import REASON
from ..publishing import publish_soon
from .commitments import commitment_by_slug
from .selectors import pledge_months, pledge_table


@transaction.atomic
def pledge_explanation_record(
    *,
    neighbourhood: Neighbourhood,
    commitment: str,
    month: datetime.date,
    text: str,
    by: User,
    text_cy: str = "",
    today: datetime.date | None = None,
) -> PledgeExplanation:
    """Record (or correct) why ``commitment`` was missed in ``month`` in ``neighbourhood``.

    Only for a month of the last twelve that the figures say was missed: an explanation of a month
    met, or of a month not yet over, would tell residents something untrue.
    """
    require(by, "jps.explain_pledge", neighbourhood)
    known = commitment_by_slug(commitment)
    if known is None:
        raise ValidationError({"commitment": "Choose one of the Pledge's commitments"})
    month = month.replace(day=1)
    if month not in pledge_months(today=today or timezone.localdate()):
        raise ValidationError({"month": "Choose one of the last twelve complete months"})
    text, text_cy = text.strip(), text_cy.strip()
    if not text:
        raise ValidationError({"text": "Enter why the commitment was not met"})
    if len(text) > REASON or len(text_cy) > REASON:
        raise ValidationError({"text": f"The explanation must be {REASON} characters or fewer"})
    [row] = [r for r in pledge_table(neighbourhood_ids=[neighbourhood.pk], months=[month])[neighbourhood.pk]
             if r.commitment.slug == commitment]  # fmt: skip
    if row.months[0].cell.met is not False:
        raise ValidationError({"month": f"{known.title} was not missed in {month:%B %Y}: there is nothing to explain"})
    explanation = (
        PledgeExplanation.objects.select_for_update()
        .filter(neighbourhood=neighbourhood, commitment=commitment, month=month)
        .first()
    )
    if explanation is None:
        explanation = PledgeExplanation(
            neighbourhood=neighbourhood, commitment=commitment, month=month, recorded_by=by, text=text, text_cy=text_cy
        )
        save(explanation, by=by, reason="Pledge explanation recorded")
    else:
        explanation.text, explanation.text_cy, explanation.recorded_by = text, text_cy, by
        save(explanation, by=by, reason="Pledge explanation changed", update_fields=["text", "text_cy", "recorded_by"])
    publish_soon(reason=f"Pledge explanation for {neighbourhood}")
    return explanation

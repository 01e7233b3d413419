"""Public text in Welsh: where a force publishes in Welsh, its public words are approved in both languages.

The Welsh Language Standards (Welsh Language (Wales) Measure 2011; the Standards Regulations
for police bodies) ask that Welsh is treated no less favourably than English: a resident
reading the Welsh pages must not find English where the English pages have words written
for them. So where ``Force.welsh_enabled``, every approval of public text (a public update, a
PACT priority's title and summary, the public title and outcome) is refused until the Welsh
text is there too. Each Welsh field is the English one's name with ``_cy``
(``public_title_cy``, ``public_text_cy``...), the same on the models, the forms and the API.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .models import Force

#: What each Welsh field holds, for the message when it is missing.
LABELS = {
    "public_title_cy": "the title for the public",
    "public_text_cy": "the text to publish",
    "summary_cy": "what was agreed",
    "public_outcome_cy": "the outcome for the public",
}


def welsh_require(*, force_id: int, texts: dict[str, tuple[str, str]]) -> None:
    """Refuse English public text without its Welsh twin, for a force that publishes in Welsh.

    ``texts`` maps each Welsh field's name to ``(english, welsh)``: an English text that is
    blank needs no Welsh (there is nothing to publish). The error is on the Welsh field. The
    force is read afresh (one query), so a force that has just turned Welsh on is asked at once.
    """
    missing = [name for name, (english, welsh) in texts.items() if english.strip() and not welsh.strip()]
    if not missing:
        return
    force = Force.objects.filter(pk=force_id, welsh_enabled=True).values_list("name", flat=True).first()
    if force is None:
        return
    errors = {
        name: f"Enter {LABELS.get(name, 'the text')} in Welsh too: {force} publishes in Welsh" for name in missing
    }
    raise ValidationError(errors)

"""Free text with a length limit that every way in enforces: the one home of text limits.

A plain ``TextField``'s ``max_length`` only sizes the form widget. ``BoundedTextField`` makes
it a validator too, so model validation (``services._save`` calls ``full_clean``) refuses
longer text whichever screen, API call or import it came from; DRF's ModelSerializers and
Django's ModelForms pick the limit up (the API schema shows it as ``maxLength``); a plain
form or serializer field that feeds one of these takes its limit from ``text_limit``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.text import capfirst

#: Descriptions, problem statements, analysis, assessment, evaluation, reports: a few thousand words.
LONG_TEXT = 10_000
#: Comments, progress updates, notes, agendas: a few paragraphs.
TEXT = 5_000
#: Why something was done: a reason for a closure, a hand-over, a merge.
REASON = 2_000


@deconstructible
class TextLengthValidator(MaxLengthValidator):
    """``Description must be 10,000 characters or fewer (it has 1,000,001).``"""

    def __init__(self, limit_value: int, name: str = "text") -> None:
        super().__init__(limit_value)
        self.name = str(name)

    def __call__(self, value: Any) -> None:
        length = len(value)
        if length > self.limit_value:
            message = f"{capfirst(self.name)} must be {self.limit_value:,} characters or fewer (it has {length:,})."
            raise ValidationError(message, code="max_length")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextLengthValidator) and (self.limit_value, self.name) == (
            other.limit_value,
            other.name,
        )

    def __hash__(self) -> int:
        return hash((self.limit_value, self.name))


class BoundedTextField(models.TextField):
    """A ``TextField`` whose ``max_length`` (``LONG_TEXT`` unless given) is enforced, not just displayed."""

    def __init__(self, *args: Any, max_length: int = LONG_TEXT, **kwargs: Any) -> None:
        kwargs["max_length"] = max_length
        super().__init__(*args, **kwargs)

    @cached_property
    def validators(self) -> list[Any]:
        return [*super().validators, self._length_validator()]

    def _length_validator(self) -> TextLengthValidator:
        assert self.max_length is not None
        return TextLengthValidator(self.max_length, name=str(self.verbose_name))

    def formfield(self, **kwargs: Any) -> Any:
        """The form field refuses long text with this field's message (the model is not asked: the field failed)."""
        field = super().formfield(**kwargs)
        if isinstance(field, forms.CharField):
            plain = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
            field.validators = [*plain, self._length_validator()]
        return field


def text_limit(model: type[models.Model], name: str) -> int:
    """The length limit of a model's text field, for a plain form or serializer field that feeds it."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{model.__name__}.{name} is not a column"
    limit = field.max_length
    assert limit is not None, f"{model.__name__}.{name} has no length limit"
    return int(limit)

"""GOV.UK error messages and the GOV.UK date input, for every form of the staff interface.

Django's own messages ("This field is required.", "Ensure this value is less than or equal to
90.") name no field and say nothing of what to do; the GOV.UK Design System asks for one message
per field that names it and says how to put it right ("Select the neighbourhood", "Latitude must
be between -90 and 90"). ``GovukForm`` derives those messages in one place, from each field's
label and kind, when the form validates; a form states its own only where the label is not enough
(``govuk_messages``), and a message a field was given explicitly is kept.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.forms.utils import pretty_name
from django.utils.datastructures import MultiValueDict

DATE_PARTS = ("day", "month", "year")
#: The empty choice Django puts first in a model form's select: a GOV.UK select says "Choose".
BLANK = "---------"


class GovukDateInput(forms.MultiWidget):
    """GOV.UK's date input: day, month and year boxes (``<name>_day``, ``<name>_month``, ``<name>_year``).

    Its value is the three strings as typed, so a half-filled date comes back as it was entered.
    A request that sends the date whole, as ``<name>=YYYY-MM-DD`` (an offline draft, a script),
    is read too.
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        box = {"inputmode": "numeric", "autocomplete": "off"}
        super().__init__({part: forms.TextInput(attrs=box) for part in DATE_PARTS}, attrs)

    def decompress(self, value: Any) -> list[str]:
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return ["", "", ""]
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return ["", "", ""]

    def value_from_datadict(self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str) -> Any:
        if not any(f"{name}_{part}" in data for part in DATE_PARTS) and name in data:
            return data[name]
        return [str(data.get(f"{name}_{part}") or "").strip() for part in DATE_PARTS]

    def value_omitted_from_data(self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)


class GovukDateField(forms.DateField):
    """A date typed as day, month and year, with GOV.UK's messages for a part missing or not a real date."""

    widget = GovukDateInput

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        if not isinstance(value, (list, tuple)):
            return super().to_python(value)
        parts = dict(zip(DATE_PARTS, value, strict=True))
        if not any(parts.values()):
            return None
        missing = [part for part in DATE_PARTS if not parts[part]]
        if missing:
            raise ValidationError(self.error_messages[f"missing_{missing[0]}"], code=f"missing_{missing[0]}")
        try:
            day, month, year = (int(parts[part]) for part in DATE_PARTS)
            if year < 1000:
                raise ValueError("a two-digit year")
            return datetime.date(year, month, day)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


def _label(field: forms.Field, name: str) -> str:
    """The label as it reads inside a sentence: 'Date adopted' -> 'date adopted', 'PACT' stays."""
    label = str(field.label or pretty_name(name)).rstrip(":?")
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _number(value: Any) -> str:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def _choosing(field: forms.Field) -> bool:
    return isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)) or isinstance(
        field.widget, (forms.Select, forms.RadioSelect, forms.CheckboxSelectMultiple)
    )


def govuk_messages(field: forms.Field, name: str) -> dict[str, str]:
    """The GOV.UK message for each way ``field`` can be wrong, from its label and kind."""
    label = _label(field, name)
    subject = label[:1].upper() + label[1:]
    not_listed = f"Select the {label} from the list"  # noqa: S608  # nosec B608 - a sentence, not SQL
    messages = {
        "required": f"Select the {label}" if _choosing(field) else f"Enter the {label}",
        "invalid": f"{subject} is not valid",
        "invalid_choice": not_listed,
        "invalid_pk_value": not_listed,
        "invalid_list": not_listed,
        "max_length": f"{subject} must be %(limit_value)d characters or fewer",
        "min_length": f"{subject} must be %(limit_value)d characters or more",
        "max_digits": f"{subject} must be no more than %(max)s digits long",
        "max_decimal_places": f"{subject} must have no more than %(max)s decimal places",
        "max_whole_digits": f"{subject} must have no more than %(max)s digits before the decimal point",
        "step_size": f"{subject} must be a multiple of %(limit_value)s",
    }
    if isinstance(field, forms.BooleanField):
        messages["required"] = f"Select '{field.label or pretty_name(name)}' to continue"
    if isinstance(field, forms.ModelMultipleChoiceField):
        messages["required"] = f"Select at least one of the {label}"
    if isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
        whole = isinstance(field, forms.IntegerField)
        messages["invalid"] = f"{subject} must be {'a whole number' if whole else 'a number'}"
        low, high = getattr(field, "min_value", None), getattr(field, "max_value", None)
        if low is not None and high is not None:
            between = f"{subject} must be between {_number(low)} and {_number(high)}"
            messages.update(min_value=between, max_value=between)
        else:
            messages.update(min_value=f"{subject} must be %(limit_value)s or more")
            messages.update(max_value=f"{subject} must be %(limit_value)s or less")
    if isinstance(field, forms.DateField):
        messages["invalid"] = f"{subject} must be a real date"
        messages.update({f"missing_{part}": f"{subject} must include a {part}" for part in DATE_PARTS})
    if isinstance(field, forms.TimeField):
        messages["invalid"] = f"{subject} must be a real time, like 18:30"
    if isinstance(field, forms.EmailField):
        messages["invalid"] = "Enter an email address in the correct format, like name@example.com"
    if isinstance(field, forms.URLField):
        messages["invalid"] = f"Enter the {label} in the correct format, like https://www.example.com"
    return messages


def _is_django_default(field: forms.Field, code: str, message: Any) -> bool:
    """Whether ``message`` is one Django gives (a field class's default), not one this app wrote."""
    return any(str(message) == str(k.__dict__.get("default_error_messages", {}).get(code)) for k in type(field).mro())


def _own_validator(validators: Iterable[Any], code: str) -> bool:
    """Whether a validator this app wrote checks ``code``: it words its own message (``TextLengthValidator``)."""
    return any(
        getattr(v, "code", code) == code and not str(getattr(v, "__module__", "")).startswith("django.")
        for v in validators
    )


def apply_govuk_messages(
    fields: Mapping[str, forms.Field],
    overrides: Mapping[str, Mapping[str, str]],
    model: type[models.Model] | None = None,
) -> None:
    """Give each field GOV.UK messages in place of Django's; an explicit message (override or field's own) stays.

    A model form's field also keeps the message of a validator its model field has from this app:
    Django would put the form field's message in its place, without the validator's numbers.
    """
    for name, field in fields.items():
        validators = list(field.validators)
        if model is not None:
            with contextlib.suppress(FieldDoesNotExist):
                validators += model._meta.get_field(name).validators  # type: ignore[union-attr]
        derived = govuk_messages(field, name)
        for code, message in derived.items():
            current = field.error_messages.get(code)
            if current is None and _own_validator(validators, code):
                continue
            if current is None or _is_django_default(field, code, current):
                field.error_messages[code] = message
        field.error_messages.update(overrides.get(name, {}))


class GovukForm(forms.BaseForm):
    """Mixin for every staff form: GOV.UK date inputs, "Choose" for an empty choice, GOV.UK messages.

    ``govuk_messages`` holds a form's own messages where the label alone does not make a good one:
    ``{"title": {"required": "Enter a title for the problem"}}``.
    """

    govuk_messages: ClassVar[dict[str, dict[str, str]]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in list(self.fields.items()):
            if isinstance(field, forms.ModelChoiceField) and field.empty_label == BLANK:
                field.empty_label = "Choose"
            elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
                choices = list(field.choices)  # type: ignore[arg-type]  # a ChoiceField's are normalised
                if choices[:1] == [("", BLANK)]:
                    field.choices = [("", "Choose"), *choices[1:]]
            if type(field) is forms.DateField:  # a model form's date: typed the GOV.UK way too
                self.fields[name] = GovukDateField(
                    required=field.required,
                    label=field.label,
                    initial=field.initial,
                    help_text=field.help_text,
                    error_messages=field.error_messages,
                )

    def full_clean(self) -> None:
        """Messages are set here, when every field a form's ``__init__`` adds or relabels is in place."""
        model = getattr(getattr(self, "_meta", None), "model", None)
        apply_govuk_messages(self.fields, self.govuk_messages, model)
        super().full_clean()


def welsh_field(label: str, *, max_length: int, rows: int = 0) -> forms.CharField:
    """The Welsh twin of a public text field (``<name>_cy``, ``jps.welsh``): its input is marked ``lang="cy"``.

    Optional on the form: whether it is needed (a force that publishes in Welsh, approving) is the
    service's rule, whose error lands on this field.
    """
    attrs: dict[str, Any] = {"lang": "cy", "spellcheck": "true"}
    widget = forms.Textarea(attrs={"rows": rows, **attrs}) if rows else forms.TextInput(attrs=attrs)
    return forms.CharField(max_length=max_length, required=False, widget=widget, label=f"{label} in Welsh (Cymraeg)")


def drop_welsh_unless(form: forms.BaseForm, welsh: bool) -> None:
    """A force that does not publish in Welsh is not asked for Welsh: its forms lose the ``*_cy`` fields."""
    if not welsh:
        for name in [n for n in form.fields if n.endswith("_cy")]:
            del form.fields[name]

"""Render Django form fields with the GOV.UK Design System's markup (label, hint, error, input)."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from frontend.govuk_forms import DATE_PARTS, GovukDateInput

register = template.Library()

_CLASSES = {
    "input": "govuk-input",
    "textarea": "govuk-textarea",
    "select": "govuk-select",
}


def _kind(widget: forms.Widget) -> str:
    if isinstance(widget, GovukDateInput):
        return "date"
    if isinstance(widget, forms.CheckboxSelectMultiple):  # a RadioSelect to Django: "select all that apply"
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


@register.inclusion_tag("frontend/includes/field.html")
def govuk_field(
    field: forms.BoundField,
    label_size: str = "s",
    width: str = "",
    rows: int = 0,
    optional: bool | None = None,
    **reveal: forms.BoundField,
) -> dict[str, Any]:
    """One field in GOV.UK form-group markup; the error sits next to it and the typed value is kept.

    For radios, ``reveal`` names the fields that belong to one choice (``change_owner=form.new_owner``):
    each is shown under its radio only while that radio is chosen (GOV.UK's conditional reveal,
    done by govuk-frontend's own script, so no inline script; without JavaScript all are shown).
    """
    kind = _kind(field.field.widget)
    hint_id = f"{field.auto_id}-hint"
    error_id = f"{field.auto_id}-error"
    described = [hint_id] if field.help_text or kind == "date" else []
    if field.errors:
        described.append(error_id)
    widget_html = ""
    parts = _date_parts(field) if kind == "date" else []
    if kind in _CLASSES:
        css = _CLASSES[kind]
        if field.errors:
            css += f" {css}--error"
        if width:
            css += f" govuk-input--width-{width}" if kind == "input" else f" govuk-!-width-{width}"
        attrs: dict[str, Any] = {"class": css}
        if described:
            attrs["aria-describedby"] = " ".join(described)
        if rows:
            attrs["rows"] = rows
        fast = _select(field, attrs) if kind == "select" else None
        widget_html = fast or field.as_widget(attrs=attrs)
    return {
        "field": field,
        "kind": kind,
        "label_size": label_size,
        "hint_id": hint_id,
        "error_id": error_id,
        "described": " ".join(described),
        "widget_html": widget_html,
        "parts": parts,
        # a field revealed by a choice is needed with that choice: not "(optional)"
        "optional": not field.field.required if optional is None else optional,
        "radios": [{"radio": radio, "reveal": reveal.get(str(radio.data["value"]))} for radio in field]
        if kind in ("radios", "checkboxes")
        else [],
    }


def _date_parts(field: forms.BoundField) -> list[dict[str, Any]]:
    """The day, month and year boxes of a GOV.UK date input, with what was typed in each."""
    value = field.value()
    widget = field.field.widget
    assert isinstance(widget, GovukDateInput)
    typed = value if isinstance(value, (list, tuple)) else widget.decompress(value)
    css = "govuk-input govuk-date-input__input" + (" govuk-input--error" if field.errors else "")
    return [
        {
            "name": f"{field.html_name}_{part}",
            "id": f"{field.auto_id}_{part}",
            "label": part.capitalize(),
            "value": typed[i],
            "css": f"{css} govuk-input--width-{4 if part == 'year' else 2}",
        }
        for i, part in enumerate(DATE_PARTS)
    ]


def _select(field: forms.BoundField, attrs: dict[str, Any]) -> SafeString | None:
    """A single-choice ``<select>`` built in one pass, the markup Django's widget templates give.

    Django renders every option through a template of its own; a filter form offering a force's
    neighbourhoods renders hundreds on every page. Grouped choices and other select widgets
    (multiple, yes/no) are left to Django (``None``).
    """
    widget = field.field.widget
    if type(widget) is not forms.Select:  # noqa: E721  subclasses format values their own way
        return None
    choices = [choice for choice in widget.choices]  # not list(): its length hint is a COUNT query
    if any(isinstance(label, (list, tuple)) for _value, label in choices):
        return None
    value = field.value()
    extra = field.build_widget_attrs(dict(attrs), widget)  # required, disabled, aria-invalid...
    final = widget.build_attrs(widget.attrs, {**extra, "name": field.html_name, "id": field.auto_id})
    selected = set(widget.format_value(value))
    keys = [("" if option_value is None else str(option_value), label) for option_value, label in choices]
    rows = ((key, " selected" if key in selected else "", label) for key, label in keys)
    options = format_html_join("", '<option value="{}"{}>{}</option>', rows)
    return format_html("<select{}>{}</select>", flatatt(final), options)


@register.simple_tag
def govuk_bilingual(form: forms.BaseForm, name: str, **options: Any) -> str:
    """A public text field and, beside it, its Welsh twin ``<name>_cy`` where the form has one.

    GOV.UK's grid in two halves, English then Welsh (the Welsh input is ``lang="cy"``); a form
    without the twin (a force that does not publish in Welsh) shows the English field alone.
    """
    english = render_to_string("frontend/includes/field.html", govuk_field(form[name], **options))
    if f"{name}_cy" not in form.fields:
        return english
    welsh = render_to_string("frontend/includes/field.html", govuk_field(form[f"{name}_cy"], **options))
    return format_html(
        '<div class="govuk-grid-row"><div class="govuk-grid-column-one-half">{}</div>'
        '<div class="govuk-grid-column-one-half">{}</div></div>',
        english,
        welsh,
    )


@register.inclusion_tag("frontend/includes/error_summary.html")
def govuk_error_summary(*forms_: forms.BaseForm) -> dict[str, Any]:
    """The error summary at the top of a page: each error links to its field."""
    items = []
    for form in forms_:
        if not isinstance(form, forms.BaseForm) or not form.is_bound or not form.errors:
            continue
        for error in form.non_field_errors():
            items.append({"href": "", "text": error})
        for field in form:
            for error in field.errors:
                anchor = field.auto_id
                if _kind(field.field.widget) in ("radios", "checkboxes"):
                    anchor = f"{anchor}_0"
                elif _kind(field.field.widget) == "date":
                    anchor = f"{anchor}_day"
                items.append({"href": f"#{anchor}", "text": error})
    return {"items": items}


@register.filter
def in_district(neighbourhood: Any, district: Any) -> str:
    """'Northgate, Canterbury': the neighbourhood's name and its district, the district named once.

    A public name often names the district already ("Northgate, Canterbury"); appending the
    district again would read "Northgate, Canterbury, Canterbury".
    """
    name = str(neighbourhood.display_name)
    district_name = str(getattr(district, "name", district) or "")
    if not district_name or district_name.lower() in name.lower():
        return name
    return f"{name}, {district_name}"

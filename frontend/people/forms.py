"""Forms for people and places: they validate and clean; ``jps.services`` write and check every rule."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from jps.models import Neighbourhood, Person, PersonRole, Place, PlaceRole, Vulnerability
from jps.services import PERSON_FIELDS

from ..govuk_forms import GovukForm

#: People and places offered by one search.
SEARCH_LIMIT = 20


class NameSearchForm(GovukForm, forms.Form):
    govuk_messages = {"q": {"required": "Enter a name to search for"}}

    q = forms.CharField(
        max_length=160,
        label="Name",
        help_text="Part of a name is enough, and a misspelt one is found too.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class AddressSearchForm(GovukForm, forms.Form):
    govuk_messages = {"q": {"required": "Enter an address or a street to search for"}}

    q = forms.CharField(
        max_length=300,
        label="Address or street",
        help_text="For example, Flat 3, 12 Station Road, or just Station Road.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class PersonRoleForm(GovukForm, forms.Form):
    govuk_messages = {"role": {"required": "Select their role in this problem"}}

    role = forms.ChoiceField(choices=PersonRole.choices, widget=forms.RadioSelect, label="Their role in this problem")


class PlaceRoleForm(GovukForm, forms.Form):
    govuk_messages = {"role": {"required": "Select what this place is to the problem"}}

    role = forms.ChoiceField(choices=PlaceRole.choices, widget=forms.RadioSelect, label="What is it to the problem?")


class _Changes:
    """Only what was changed, so an untouched field is not written (nor its history)."""

    changed_data: list[str]
    cleaned_data: dict[str, Any]

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}


class PersonForm(_Changes, GovukForm, forms.ModelForm):
    """A person's details. Built without the record (``initial`` for an edit), so it never saves one."""

    govuk_messages = {
        "name": {"required": "Enter the person's full name"},
        "vulnerabilities": {
            "invalid_choice": "Select only the kinds of vulnerability listed",
            "invalid_list": "Select only the kinds of vulnerability listed",
        },
    }

    vulnerabilities = forms.MultipleChoiceField(
        choices=Vulnerability.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Are they vulnerable?",
        help_text="Select all that apply.",
    )

    class Meta:
        model = Person
        fields = list(PERSON_FIELDS)
        labels = {
            "name": "Full name",
            "phone": "Phone number",
            "email": "Email address",
            "vulnerability_note": "About their vulnerability",
        }
        help_texts = {"vulnerability_note": "What someone contacting them should know."}
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "address": forms.Textarea(attrs={"rows": 3}),
            "vulnerability_note": forms.Textarea(attrs={"rows": 3}),
            "needs": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_date_of_birth(self) -> datetime.date | None:
        born = self.cleaned_data.get("date_of_birth")
        if born is not None and born > datetime.date.today():
            raise ValidationError("Date of birth must be in the past")
        if born is not None and born.year < 1900:
            raise ValidationError("Date of birth must be after 1900")
        return born


class NewPersonForm(PersonForm):
    """Record a new person and put them on the problem: their role first, then who they are."""

    govuk_messages = PersonForm.govuk_messages | PersonRoleForm.govuk_messages
    field_order = ["role", *PERSON_FIELDS]

    role = PersonRoleForm.base_fields["role"]


class PlaceForm(_Changes, GovukForm, forms.ModelForm):
    """A place's address, UPRN and neighbourhood (of the force the place belongs to)."""

    govuk_messages = {
        "address": {"required": "Enter the address"},
        "neighbourhood": {"invalid_choice": "Select a neighbourhood of this force from the list"},
    }

    class Meta:
        model = Place
        fields = ["address", "uprn", "neighbourhood"]
        help_texts = {"uprn": "The Unique Property Reference Number, up to 12 digits, if you know it."}
        widgets = {"uprn": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})}

    def __init__(self, *args: Any, force_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["neighbourhood"]
        assert isinstance(field, forms.ModelChoiceField)
        in_force = Neighbourhood.objects.filter(district__force_id=force_id or 0)
        field.queryset = in_force.select_related("district").order_by("name")

    def clean_uprn(self) -> str:
        uprn = str(self.cleaned_data.get("uprn") or "").strip()
        if uprn and not (uprn.isdigit() and len(uprn) <= 12):
            raise ValidationError("UPRN must be a number of up to 12 digits")
        return uprn


class NewPlaceForm(PlaceForm):
    govuk_messages = PlaceForm.govuk_messages | PlaceRoleForm.govuk_messages
    field_order = ["role", "address", "uprn", "neighbourhood"]

    role = PlaceRoleForm.base_fields["role"]


class UnlinkForm(GovukForm, forms.Form):
    govuk_messages = {"reason": {"max_length": "The reason must be %(limit_value)d characters or fewer"}}

    reason = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why is it being removed?",
        help_text="For example, added to the wrong problem. Kept in the problem's history.",
    )


class PersonMergeForm(GovukForm, forms.Form):
    govuk_messages = {
        "reason": {
            "required": "Enter how you know they are the same person",
            "max_length": "The reason must be %(limit_value)d characters or fewer",
        }
    }

    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="How do you know they are the same person?",
        help_text="For example, the same date of birth and address. Kept on both records.",
    )


class PlaceMergeForm(GovukForm, forms.Form):
    govuk_messages = {
        "reason": {
            "required": "Enter how you know they are the same place",
            "max_length": "The reason must be %(limit_value)d characters or fewer",
        }
    }

    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="How do you know they are the same place?",
        help_text="For example, the same UPRN. Kept on both records.",
    )

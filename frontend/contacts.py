"""Staff pages for contact agreements: agree contact with a victim or complainant, change it, record a contact.

Thin like the rest of the staff interface: forms validate, ``jps.services`` (``contact_agree``,
``contact_update``, ``contact_log``) write and check ``jps.view_contacts``, ``jps.selectors`` read.
The problem page shows the agreements (``includes/problem_contacts.html``) with links here. Each
page is one short form, to fill in on a phone after a call or a visit. Mounted under
``/problems/<id>/contacts/`` by one ``include`` in ``frontend/urls.py``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from jps import selectors, services
from jps.models import Contact, ContactLog, Problem, ProblemPerson
from jps.models.contacts import EVERY_DAYS_MAX, EVERY_DAYS_MIN
from jps.models.fields import text_limit

from .govuk_forms import GovukDateField, GovukForm
from .http import AuthedHttpRequest
from .views import form_act, problem_for

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
REFUSED = "Only police staff working this problem see and keep its contacts with victims and complainants."

# --- forms ---------------------------------------------------------------------------------------


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: ProblemPerson) -> str:
        return f"{obj.person.name} ({obj.get_role_display().lower()})"


class AgreementForm(GovukForm, forms.Form):
    """How and how often the person is kept informed: the fields every agreement has."""

    govuk_messages = {
        "preferred_method": {"required": "Select how they want to be contacted"},
        "contact_every_days": {"required": "Enter how often to contact them, in days"},
    }

    preferred_method = forms.ChoiceField(
        choices=Contact.Method.choices, widget=forms.RadioSelect, label="How do they want to be contacted?"
    )
    contact_every_days = forms.IntegerField(
        min_value=EVERY_DAYS_MIN,
        max_value=EVERY_DAYS_MAX,
        label="How often, in days",
        help_text="For example, 7 for weekly or 28 for every four weeks.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    times_to_avoid = forms.CharField(
        max_length=160, required=False, label="Times to avoid", help_text="For example, not after 8pm."
    )
    next_contact_due = GovukDateField(
        required=False, label="Next contact due", help_text="Leave blank for one period from today."
    )
    notes = forms.CharField(
        max_length=text_limit(Contact, "notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Notes",
        help_text="Anything else agreed: who else to speak to, an interpreter, a safe word.",
    )


class ContactAgreeForm(AgreementForm):
    """Agree contact with a victim or complainant on the problem who has no agreement yet."""

    govuk_messages = {**AgreementForm.govuk_messages, "person": {"required": "Select who the agreement is with"}}
    field_order = ["person", "preferred_method", "contact_every_days", "times_to_avoid", "next_contact_due", "notes"]

    person = _PersonChoice(
        queryset=ProblemPerson.objects.none(), widget=forms.RadioSelect, empty_label=None, label="Who is it with?"
    )

    def __init__(self, *args: Any, problem: Problem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = selectors.people_to_agree_with(problem)  # type: ignore[attr-defined]

    @property
    def nobody_to_agree_with(self) -> bool:
        return not self.fields["person"].queryset.exists()  # type: ignore[attr-defined]


class ContactChangeForm(AgreementForm):
    """Change an agreement, or record why there can be no final contact before the problem closes."""

    no_final_contact_reason = forms.CharField(
        max_length=text_limit(Contact, "no_final_contact_reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason there can be no final contact",
        help_text="Only if the problem must close without telling them the outcome, for example: "
        "victim moved away, no forwarding details.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["next_contact_due"].help_text = "Leave as it is unless a new date was agreed."

    def changes(self) -> dict[str, Any]:
        """Only what was changed; a next date left blank is kept as it was, not cleared."""
        changed = {name: self.cleaned_data[name] for name in self.changed_data}
        if changed.get("next_contact_due", "kept") is None:
            del changed["next_contact_due"]
        return changed


class ContactRecordForm(GovukForm, forms.Form):
    """A contact made, or attempted: when, how, whether they were reached, what was said."""

    govuk_messages = {
        "contacted_on": {"required": "Enter the date of the contact"},
        "method": {"required": "Select how the contact was made"},
        "reached": {"required": "Select yes if you reached them"},
        "summary": {"required": "Enter what was said, or what happened"},
    }

    contacted_on = GovukDateField(label="Date of the contact")
    contacted_time = forms.TimeField(
        widget=TIME_WIDGET, required=False, label="Time", help_text="For example, 14:30. Leave blank for now."
    )
    method = forms.ChoiceField(choices=Contact.Method.choices, widget=forms.RadioSelect, label="How was it made?")
    reached = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Did you reach them?",
        help_text="If not, the contact stays due.",
    )
    summary = forms.CharField(
        max_length=text_limit(ContactLog, "summary"), widget=forms.Textarea(attrs={"rows": 4}), label="What was said"
    )
    outcome = forms.CharField(max_length=240, required=False, label="Outcome or next step")
    final = forms.BooleanField(
        required=False,
        label="This is the final contact before the problem closes",
        help_text="They have been told the outcome.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("contacted_on") and self.contacted_at() > timezone.now():
            field = "contacted_time" if data["contacted_on"] == timezone.localdate() else "contacted_on"
            self.add_error(field, "The contact must be today or in the past, not later")
        return data

    def contacted_at(self) -> datetime.datetime:
        """The moment of the contact: the time given, else now (today) or midday (an earlier day)."""
        day, time = self.cleaned_data["contacted_on"], self.cleaned_data.get("contacted_time")
        now = timezone.localtime()
        if time is None:
            if day == now.date():
                return now
            time = datetime.time(12)
        return timezone.make_aware(datetime.datetime.combine(day, time))

    def entry(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "contacted_at": self.contacted_at(),
            "method": data["method"],
            "reached": data["reached"],
            "summary": data["summary"],
            "outcome": data["outcome"],
            "final": data["final"],
        }


# --- views ---------------------------------------------------------------------------------------


def _agreement(problem: Problem, contact_pk: int) -> Contact:
    """One of the problem's agreements, with its log (``entries``); another problem's is a 404."""
    for contact in selectors.contact_agreements_for(problem):
        if contact.pk == contact_pk:
            return contact
    raise Http404("No such contact agreement on this problem.")


def _back(problem: Problem) -> str:
    return reverse("problem", args=[problem.pk]) + "#contacts"


@login_required
def contact_agree(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Agree contact with a victim or complainant: how, how often, when not, and when first."""
    problem = problem_for(request, pk, perm="jps.view_contacts", refused=REFUSED, log=request.method == "GET")
    form = ContactAgreeForm(request.POST or None, problem=problem, initial={"person": request.GET.get("person")})

    def act(data: dict[str, Any]) -> Contact:
        fields = {name: value for name, value in data.items() if name != "person"}
        return services.contact_agree(link=data["person"], by=request.user, **fields)

    if request.method == "POST" and form_act(request, form, act, "Contact agreed."):
        return redirect(_back(problem))
    return render(request, "frontend/contacts/agree.html", {"problem": problem, "form": form})


@login_required
def contact_change(request: AuthedHttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    """Change an agreement, or record the reason there can be no final contact."""
    problem = problem_for(request, pk, perm="jps.view_contacts", refused=REFUSED, log=request.method == "GET")
    contact = _agreement(problem, contact_pk)
    initial = {name: getattr(contact, name) for name in services.AGREEMENT_FIELDS}
    form = ContactChangeForm(request.POST or None, initial=initial)

    def act(data: dict[str, Any]) -> Contact:
        return services.contact_update(contact=contact, by=request.user, **form.changes())

    if request.method == "POST" and form_act(request, form, act, "Contact agreement saved."):
        return redirect(_back(problem))
    return render(request, "frontend/contacts/change.html", {"problem": problem, "contact": contact, "form": form})


@login_required
def contact_record(request: AuthedHttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    """Record a contact (or an attempt); the page lists the contacts made so far."""
    problem = problem_for(request, pk, perm="jps.view_contacts", refused=REFUSED, log=request.method == "GET")
    contact = _agreement(problem, contact_pk)
    initial = {"contacted_on": timezone.localdate(), "method": contact.preferred_method}
    form = ContactRecordForm(request.POST or None, initial=initial)

    def act(data: dict[str, Any]) -> Any:
        return services.contact_log(contact=contact, by=request.user, **form.entry())

    if request.method == "POST" and form_act(request, form, act, "Contact recorded."):
        return redirect(_back(problem))
    context = {"problem": problem, "contact": contact, "form": form, "today": timezone.localdate()}
    return render(request, "frontend/contacts/record.html", context)


urlpatterns = [
    path("agree/", contact_agree, name="contact_agree"),
    path("<int:contact_pk>/", contact_change, name="contact_change"),
    path("<int:contact_pk>/record/", contact_record, name="contact_record"),
]

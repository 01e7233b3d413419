"""The call handler's lookup (issue 18): a street, an address or a caller's name, read-only.

What is open there or with them, who is at high risk or vulnerable, and how often they have come to
notice, all from ``jps.selectors.lookup`` (whose counts are the problem page's and the API's). Call
handlers and police staff who see the force's people (``jps.look_up``); every person shown is logged.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from jps import selectors

from .govuk_forms import GovukForm
from .http import AuthedHttpRequest
from .people.on_problem import log_reads


class LookupForm(GovukForm, forms.Form):
    govuk_messages = {
        "q": {"required": "Enter a street, an address or a name to look up"},
        "kind": {"required": "Select whether you are looking up a place or a person"},
    }

    kind = forms.ChoiceField(
        choices=[("address", "A street or an address"), ("person", "A person, by name")],
        widget=forms.RadioSelect,
        label="What are you looking up?",
        initial="address",
    )
    q = forms.CharField(
        max_length=300,
        label="Street, address or name",
        help_text="Part of it is enough, and a misspelt name is found too.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


@login_required
def lookup(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("jps.look_up"):
        raise PermissionDenied("The lookup is for call handlers and police staff of the force.")
    form = LookupForm(request.GET if "q" in request.GET else None, initial={"kind": "address"})
    found = None
    if form.is_valid():
        found = selectors.lookup(request.user, q=form.cleaned_data["q"], kind=form.cleaned_data["kind"])
        log_reads(request, found.reads)
    return render(request, "frontend/people/lookup.html", {"form": form, "found": found})


urlpatterns = [path("lookup/", lookup, name="lookup")]

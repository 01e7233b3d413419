"""Staff pages for a victim's risk assessment: one yes/no question per radio, short enough for a phone.

Thin like the rest of the staff interface: the form validates the answers' shape, ``jps.services.risk_assess``
checks the permission (``jps.assess_risk``: police staff working the problem, never a partner), the
questionnaire version and scores. Mounted under ``/problems/<pk>/risk/`` by one ``include`` in
``frontend/urls.py``; the problem page shows each victim's current risk (``{% victim_risk_panel %}``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from jps import selectors, services
from jps.models import PersonRole, ProblemPerson, ProblemView, RiskAssessment, RiskQuestionnaire
from jps.models.fields import text_limit

from .forms import add_service_errors
from .govuk_forms import GovukForm
from .http import AuthedHttpRequest
from .views import problem_for

YES_NO = [("yes", "Yes"), ("no", "No")]
#: A question's form field is its key with this prefix, so no key can clash with the form's own fields.
PREFIX = "q_"


class RiskAssessmentForm(GovukForm, forms.Form):
    """Why now, each question of the questionnaire in use (yes or no), and notes."""

    govuk_messages = {"occasion": {"required": "Select why you are assessing the risk now"}}

    occasion = forms.ChoiceField(
        choices=RiskAssessment.Occasion.choices, widget=forms.RadioSelect, label="Why are you assessing their risk now?"
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=text_limit(RiskAssessment, "notes"),
        help_text="What the victim told you that the answers do not show. Never shared with partners.",
    )

    def __init__(self, *args: Any, questionnaire: RiskQuestionnaire, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        questions = {}
        for number, question in enumerate(questionnaire.questions.all(), start=1):
            wrong = f"Select yes or no for question {number}"
            questions[PREFIX + question.key] = forms.ChoiceField(
                choices=YES_NO,
                widget=forms.RadioSelect,
                label=f"{number}. {question.text}",
                error_messages={"required": wrong, "invalid_choice": wrong},
            )
        self.fields = {"occasion": self.fields["occasion"], **questions, "notes": self.fields["notes"]}

    def question_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(PREFIX)]

    def answers(self) -> dict[str, bool]:
        """The answers as the service takes them: each question's key, true for yes."""
        data = self.cleaned_data
        return {name.removeprefix(PREFIX): data[name] == "yes" for name in data if name.startswith(PREFIX)}


def _victim(problem: Any, link_pk: int) -> ProblemPerson:
    link = problem.person_links.filter(pk=link_pk, role=PersonRole.VICTIM).select_related("person").first()
    if link is None:
        raise Http404("No such victim on this problem.")
    return link


@login_required
def risk_assess(request: AuthedHttpRequest, pk: int, link_pk: int) -> HttpResponse:
    """Assess one victim: the form, then back to the problem page with the level the answers gave."""
    problem = problem_for(
        request,
        pk,
        perm="jps.assess_risk",
        refused="Only police staff working an open problem may assess a victim's risk.",
        log=request.method == "GET",
    )
    link = _victim(problem, link_pk)
    if request.method == "GET":  # the page names the victim: a read of them, through this problem
        reads = [(link.person_id, problem.pk)]
        services.person_views_record(user=request.user, reads=reads, channel=ProblemView.Channel.WEB)
    questionnaire = selectors.risk_questionnaire_for(problem=problem)
    current = selectors.risk_assessments_current(RiskAssessment.objects.filter(link=link)).first()
    form = None
    if questionnaire is not None:
        initial = {"occasion": "" if current else RiskAssessment.Occasion.FIRST_CONTACT}
        data = request.POST if request.method == "POST" else None
        form = RiskAssessmentForm(data, questionnaire=questionnaire, initial=initial)
        if form.is_bound and form.is_valid():
            try:
                assessment = services.risk_assess(
                    link=link,
                    answers=form.answers(),
                    occasion=form.cleaned_data["occasion"],
                    notes=form.cleaned_data["notes"],
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                level = assessment.get_level_display().lower()
                messages.success(request, f"{link.person.name} assessed: {level} risk (score {assessment.score}).")
                return redirect(reverse("problem", args=[problem.pk]) + "#risk")
    context = {"problem": problem, "link": link, "form": form, "questionnaire": questionnaire, "current": current}
    return render(request, "frontend/risk/assess.html", context)


urlpatterns = [
    path("<int:link_pk>/", risk_assess, name="risk_assess"),
]

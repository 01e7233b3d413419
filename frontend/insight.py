"""Staff pages for what closed problems teach: evaluation, quality, the library, learning needs, the dashboard.

Thin views in the house style: forms validate, ``jps.services`` / ``jps.insight`` write,
``jps.selectors`` / ``jps.insight`` / ``jps.insight.figures`` read, and every page is
scoped to the person asking (a problem they may not see is a 404; a refused
permission from a service is a 403).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jps import insight, selectors, services
from jps.db_router import replica_reads
from jps.insight import figures as management_info
from jps.models import (
    QUALITY_CRITERIA,
    Action,
    BestPracticeTag,
    Category,
    District,
    Evaluation,
    LearningNeed,
    Problem,
    QualityScore,
    Stage,
    User,
)
from jps.models.fields import text_limit
from jps.rules import library_scope_q

from .forms import add_service_errors
from .govuk_forms import GovukForm
from .http import AuthedHttpRequest, csv_response, in_chunks
from .templatetags.insight import similar_problems_context
from .views import log_problem_view, problem_for

LIBRARY_PAGE_SIZE = 20
ROLE_LABELS = dict(User.Role.choices)
DASHBOARD_ROWS = 15


# --- forms ---------------------------------------------------------------------------------------


class EvaluationForm(GovukForm, forms.Form):
    govuk_messages = {
        "rating": {"required": "Select how effective the response was"},
        "learning": {"required": "Enter what others can learn from it"},
    }

    rating = forms.ChoiceField(
        choices=Evaluation.Rating.choices, widget=forms.RadioSelect, label="Effectiveness rating (the colour)"
    )
    what_worked = forms.CharField(
        max_length=text_limit(Evaluation, "what_worked"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="What worked",
    )
    what_did_not = forms.CharField(
        max_length=text_limit(Evaluation, "what_did_not"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="What did not work",
    )
    learning = forms.CharField(
        max_length=text_limit(Evaluation, "learning"), widget=forms.Textarea(attrs={"rows": 4}), label="Learning"
    )
    transferable = forms.BooleanField(required=False, label="The approach is transferable to other places")
    tags = forms.CharField(
        required=False,
        max_length=400,
        label="Best-practice tags",
        help_text="Separate tags with commas, e.g. lighting, dispersal order, licensing.",
    )
    best_practice = forms.BooleanField(
        required=False, label="Mark as best practice", help_text="Only an effective (green) evaluation."
    )

    def clean_tags(self) -> list[str]:
        return [t.strip()[:80] for t in self.cleaned_data["tags"].split(",") if t.strip()]


ROLE_CHOICES = [("", "Choose")] + [
    (r.value, r.label) for r in (User.Role.OFFICER, User.Role.SUPERVISOR, User.Role.PARTNER, User.Role.ANALYST)
]


class LearningNeedForm(GovukForm, forms.Form):
    skill = forms.CharField(max_length=160, required=False, label="Skill needed")
    role = forms.ChoiceField(choices=ROLE_CHOICES, required=False, label="Who needs it (role)")
    notes = forms.CharField(max_length=text_limit(LearningNeed, "notes"), required=False, label="Notes")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("role") or data.get("notes")) and not data.get("skill"):
            self.add_error("skill", "Name the skill, or leave this learning need empty.")
        return data


LearningNeedFormSet = forms.formset_factory(LearningNeedForm, extra=2, max_num=5)


class QualityScoreForm(GovukForm, forms.Form):
    govuk_messages = {"occasion": {"required": "Select when the record was scored"}}

    occasion = forms.ChoiceField(choices=QualityScore.Occasion.choices, widget=forms.RadioSelect, label="Scored")
    comment = forms.CharField(
        max_length=text_limit(QualityScore, "comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Comment",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in QUALITY_CRITERIA:
            self.fields[name] = forms.BooleanField(required=False, label=label)

    def criteria_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _ in QUALITY_CRITERIA]


class LibraryForm(GovukForm, forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=200)
    category = forms.ChoiceField(required=False, label="Category")
    tag = forms.ChoiceField(required=False, label="Tag")
    response_type = forms.ChoiceField(
        required=False, label="Response type", choices=[("", "Any"), *Action.Type.choices]
    )
    rating = forms.ChoiceField(
        required=False,
        label="Rating colour",
        choices=[("", "Any"), *[(v, v.capitalize()) for v in Evaluation.Rating.values]],
    )
    district = forms.ChoiceField(required=False, label="District")
    best_practice = forms.BooleanField(required=False, label="Best practice only")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Any"), *Category.objects.values_list("slug", "name")]  # type: ignore[attr-defined]
        self.fields["tag"].choices = [("", "Any"), *BestPracticeTag.objects.values_list("slug", "name")]  # type: ignore[attr-defined]
        districts = District.objects.all() if user.is_administrator else District.objects.filter(force_id=user.force_id)
        self.fields["district"].choices = [("", "Any"), *((str(i), n) for i, n in districts.values_list("id", "name"))]  # type: ignore[attr-defined]


# --- evaluation -----------------------------------------------------------------------------------


@login_required
def evaluation_queue(request: AuthedHttpRequest) -> HttpResponse:
    """An analyst's queue: closed problems awaiting evaluation, and the latest evaluations."""
    user = request.user
    if not (user.is_administrator or user.role == User.Role.ANALYST):  # type: ignore[union-attr]
        raise PermissionDenied("Evaluation is for analysts.")
    waiting = selectors.evaluations_waiting(user=user)
    recent = (
        insight.library_visible_to(user)
        .filter(problem_id__in=selectors.problems_visible_to(user).values("pk"))
        .order_by("-evaluated_at")[:20]
    )
    return render(
        request,
        "frontend/insight/evaluation_queue.html",
        {"waiting": list(waiting[:100]), "waiting_count": waiting.count(), "recent": list(recent)},
    )


@login_required
def evaluation_form(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Evaluate a closed problem: colour, what worked and did not, transferability, tags, learning needs."""
    user = request.user
    problem = problem_for(
        request,
        pk,
        perm="jps.evaluate_problem",
        refused="Only an analyst of the force evaluates a closed problem.",
        log=request.method == "GET",
    )
    existing = Evaluation.objects.filter(problem=problem).first()
    initial = {}
    if existing:
        initial = {
            "rating": existing.rating,
            "what_worked": existing.what_worked,
            "what_did_not": existing.what_did_not,
            "learning": existing.learning,
            "transferable": existing.transferable,
            "best_practice": existing.best_practice,
            "tags": ", ".join(existing.tags.values_list("name", flat=True)),
        }
    form = EvaluationForm(request.POST or None, initial=initial)
    needs = LearningNeedFormSet(request.POST or None, prefix="need")
    if request.method == "POST" and form.is_valid() and needs.is_valid():
        data = form.cleaned_data
        learning_needs = [
            {"skill": n["skill"], "role": n.get("role", ""), "notes": n.get("notes", "")}
            for n in needs.cleaned_data
            if n.get("skill")
        ]
        try:
            services.evaluation_record(
                problem=problem,
                by=user,
                rating=data["rating"],
                learning=data["learning"],
                what_worked=data["what_worked"],
                what_did_not=data["what_did_not"],
                transferable=data["transferable"],
                best_practice=data["best_practice"],
                tags=data["tags"],
                learning_needs=learning_needs,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Evaluation of {problem.reference} saved.")
            return redirect("insight_evaluation", pk=problem.pk)
    return render(
        request,
        "frontend/insight/evaluation_form.html",
        {"problem": problem, "form": form, "needs": needs, "existing": existing},
    )


@login_required
def evaluation_page(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """One evaluation as the library shows it, with the best-practice button for those who may press it."""
    try:
        evaluation = insight.library_visible_to(request.user).get(problem_id=pk)
    except Evaluation.DoesNotExist as missing:
        raise Http404("No such evaluation, or you cannot see it.") from missing
    problem = evaluation.problem
    log_problem_view(request, problem)
    return render(
        request,
        "frontend/insight/evaluation.html",
        {
            "evaluation": evaluation,
            "problem": problem,
            "may_mark": request.user.has_perm("jps.mark_best_practice", problem),
            "may_evaluate": request.user.has_perm("jps.evaluate_problem", problem),
            "may_see_problem": request.user.has_perm("jps.see_problem", problem),
            "needs": list(evaluation.learning_needs.all()) if request.user.has_perm("jps.view_learning_needs") else [],
        },
    )


@login_required
@require_POST
def best_practice_mark(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    try:
        problem = Problem.objects.filter(library_scope_q(request.user)).get(pk=pk)
    except Problem.DoesNotExist as missing:
        raise Http404("No such problem, or you cannot see it.") from missing
    mark = request.POST.get("best_practice", "1") == "1"
    try:
        insight.best_practice_mark(problem=problem, by=request.user, best_practice=mark)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{problem.reference} {'marked as' if mark else 'no longer'} best practice.")
    return redirect("insight_evaluation", pk=pk)


# --- quality score -------------------------------------------------------------------------------


@login_required
def quality_score(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A supervisor scores the record at review or closure; the checklist is pre-ticked from the record."""
    user = request.user
    problem = problem_for(
        request,
        pk,
        perm="jps.score_quality",
        refused="Only a supervisor of the district scores the quality of a record.",
        log=request.method == "GET",
    )
    occasion = QualityScore.Occasion.REVIEW if problem.is_open and problem.stage != Stage.ASSESSMENT else "closure"
    initial = {"occasion": occasion, **insight.quality_score_suggestion(problem)}
    form = QualityScoreForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            score = insight.quality_score_record(problem=problem, by=user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Quality of {problem.reference} scored {score.total} out of {score.out_of}.")
            return redirect(reverse("problem", args=[pk]) + "#quality")
    return render(
        request,
        "frontend/insight/quality_form.html",
        {"problem": problem, "form": form, "scores": insight.quality_scores_for(problem)[:10]},
    )


# --- library and write-up --------------------------------------------------------------------------


@login_required
@replica_reads()
def library(request: AuthedHttpRequest) -> HttpResponse:
    """The best-practice library: search and filters, colour at a glance."""
    form = LibraryForm(request.GET or None, user=request.user)
    filters = insight.LibraryFilters.from_query(request.GET)
    results = insight.library_search(user=request.user, filters=filters)
    page = Paginator(results, LIBRARY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "frontend/insight/library.html",
        {"form": form, "page": page, "query": query.urlencode(), "filters": filters},
    )


@login_required
def writeup(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The printable good-practice write-up: title, problem, solution, evaluation, validation, outcomes, contact."""
    try:
        context = insight.good_practice_writeup(user=request.user, problem_id=pk)
    except Evaluation.DoesNotExist as missing:
        raise Http404("No best-practice write-up for this problem, or you cannot see it.") from missing
    log_problem_view(request, context["problem"])
    return render(request, "frontend/insight/writeup.html", context)


# --- learning needs ----------------------------------------------------------------------------------


@login_required
@replica_reads()
def learning_needs(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("jps.view_learning_needs"):
        raise PermissionDenied("Learning needs are for training managers and analysts.")
    figures = [
        management_info.learning_needs_by(user=request.user, dimension="district"),
        management_info.learning_needs_by(user=request.user, dimension="skill"),
        management_info.learning_needs_by_month(user=request.user),
    ]
    recent = selectors.learning_needs_visible_to(request.user)[:50]
    return render(request, "frontend/insight/learning_needs.html", {"figures": figures, "recent": recent})


@login_required
@replica_reads()
def learning_needs_csv(request: AuthedHttpRequest) -> HttpResponse:
    """Every learning need in scope, one a row (streamed from the database in chunks)."""
    if not request.user.has_perm("jps.view_learning_needs"):
        raise PermissionDenied("Learning needs are for training managers and analysts.")
    needs = selectors.learning_needs_visible_to(request.user).order_by("-created_at", "-id")
    rows = (
        (
            n.created_at.strftime("%Y-%m-%d"),
            n.district.name,
            n.skill,
            ROLE_LABELS.get(n.role, n.role),
            str(n.person or ""),
            n.evaluation.problem.reference,
            n.notes,
        )
        for n in in_chunks(needs)
    )
    return csv_response("learning-needs.csv", ("Date", "District", "Skill", "Role", "Person", "Problem", "Notes"), rows)


# --- management information dashboard ---------------------------------------------------------------

DASHBOARD = [
    "by-stage",
    "by-category",
    "by-source",
    "by-district",
    "by-neighbourhood",
    "reviews-overdue",
    "contacts-on-time",
    "messages-answered",
    "median-days-in-stage",
    "actions-by-agency",
    "priorities-without-update",
    "quality-by-district",
    "residents-fixed",
    "learning-needs-by-skill",
    "case-reviews",
]


#: Figures only some of the staff may see, and the permission each needs (the others see them all).
FIGURE_PERMISSIONS = {
    "contacts-on-time": "jps.view_contact_figures",
    "messages-answered": "jps.view_contact_figures",  # officers, supervisors, administrators: never partners
}


def _may_see_figure(user: Any, slug: str) -> bool:
    return user.has_perm(FIGURE_PERMISSIONS.get(slug, "jps.view_management_info"))


@login_required
@replica_reads()
def dashboard(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("jps.view_management_info"):
        raise PermissionDenied
    slugs = [slug for slug in DASHBOARD if _may_see_figure(request.user, slug)]
    figures = [management_info.figure(user=request.user, slug=slug) for slug in slugs]
    if not request.user.has_perm("jps.view_learning_needs"):
        figures = [fig for fig in figures if not fig.slug.startswith("learning")]
    return render(request, "frontend/insight/dashboard.html", {"figures": figures, "rows_shown": DASHBOARD_ROWS})


@login_required
@replica_reads()
def dashboard_csv(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    if not request.user.has_perm("jps.view_management_info") or not _may_see_figure(request.user, slug):
        raise PermissionDenied
    try:
        fig = management_info.figure(user=request.user, slug=slug)
    except KeyError as missing:
        raise Http404("No such figure.") from missing
    return csv_response(f"{slug}.csv", fig.columns, fig.rows)


@login_required
def similar_panel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """What worked on similar problems: loaded after the problem page (htmx), or as a page of its own.

    Ranking the library's text against the problem takes longer than the rest of the page
    at national scale, so the page does not wait for it.
    """
    problem = problem_for(request, pk)  # from the primary: it may have been logged a moment ago
    with replica_reads():  # the library it is ranked against can be a second old
        context = similar_problems_context(request.user, problem)
        if request.headers.get("HX-Request") == "true":
            return render(request, "frontend/insight/includes/similar.html", context)
        return render(request, "frontend/insight/similar.html", context)

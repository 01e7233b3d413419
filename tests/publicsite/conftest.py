"""Fixtures for the public site: an output folder per test, a fully worked public priority, a real worker."""

from __future__ import annotations

import datetime

import pytest

from jps import services
from jps.models import Source, Stage
from tests import factories as f
from tests.celery_fixtures import celery_worker, closed_broker  # noqa: F401

from .site import priority_page, site_files  # noqa: F401

#: Strings planted in every internal field; none may appear in any public file.
SECRETS = {
    "description": "ZZDESC Mrs Gwendolyn Featherstonehaugh keeps complaining",
    "problem_statement": "ZZSTATEMENT youths outside 14 Acacia Avenue",
    "location": "ZZLOCATION 14 Acacia Avenue",
    "latitude": "51.287654",
    "longitude": "1.076543",
    "originator": "ZZORIGINATOR Percival Wrigglesworth",
    "owner_first": "Ophelia",
    "owner_last": "Thistlewoodshire",
    "editor_last": "Quenbyfarthing",
    "supervisor_last": "Sergeantovich",
    "contact_name": "Bartholomew Quixley",
    "contact_phone": "07700 900123",
    "contact_email": "bart.quixley@example.com",
    "contact_address": "ZZADDRESS 9 Privet Drive",
    "contact_notes": "ZZCONTACTNOTES vulnerable adult",
    "final_contact": "ZZFINALCONTACT told Bartholomew the outcome at his door",
    "victim": "ZZVICTIM elderly shopkeeper",
    "offender": "ZZOFFENDER known youths from the estate",
    "analysis_location": "ZZANALYSISLOC alley behind the shops",
    "causes": "ZZCAUSES cheap alcohol",
    "objective": "ZZOBJECTIVE halve calls",
    "data_sources": "ZZDATASOURCES Storm logs",
    "action_description": "ZZACTION dispersal order patrols",
    "action_result": "ZZRESULT three arrests",
    "internal_update": "ZZINTERNAL update naming suspect Jezebel Crumplehorn",
    "pending_update": "ZZPENDING update not yet approved",
    "rejected_update": "ZZREJECTED update naming a witness",
    "approved_original": "ZZORIGINAL raw text before the web editor edited it",
    "review_comment": "ZZREVIEW supervisor comment",
    "objective_met": "ZZOBJMET calls halved",
    "evidence": "ZZEVIDENCE before 40 after 18",
    "displacement": "ZZDISPLACEMENT none found",
    "measure_before": "ZZMEASURE40",
    "closure_reason": "ZZCLOSURE reason text",
    "hidden_title": "ZZHIDDEN not a public priority",
}

PUBLIC = {
    "title": "Drinking and noise at the parade",
    "update": "We have increased patrols on Friday and Saturday evenings.",
    "outcome": "Reports of noise fell by half, and the off-licence changed its opening hours.",
}


@pytest.fixture(autouse=True)
def _site_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.PUBLIC_SITE_DIR = tmp_path / "site"
    settings.PUBLIC_SITE_URL = "https://priorities.example.test/"
    settings.SITE_URL = "https://jps.example.test"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings.PUBLIC_SITE_DIR


def work_priority(*, pcso, supervisor, web_editor, neighbourhood, category, close: bool, logged_by=None, **extra):  # type: ignore[no-untyped-def]
    """A public priority taken through SARA with personal data planted in every internal field.

    Logged by the PCSO (or ``logged_by``, a partner say, who then hands it to the PCSO) and
    adopted as a public priority by the district's supervisor, as the write policy requires.
    """
    s = SECRETS
    problem = services.problem_create(
        by=logged_by or pcso,
        neighbourhood=neighbourhood,
        category=category,
        source=Source.COMMUNITY_CONTACT,
        originator=s["originator"],
        title=extra.pop("title", "ZZINTERNALTITLE parade drinking"),
        description=s["description"],
        problem_statement=s["problem_statement"],
        location=s["location"],
        latitude=s["latitude"],
        longitude=s["longitude"],
    )
    if logged_by is not None:
        services.problem_transfer(
            problem=problem, by=logged_by, to_agency=pcso.agency, to_owner=pcso, reason="Police to lead"
        )
    services.problem_public_set(
        problem=problem,
        by=supervisor,
        public_priority=True,
        adopted_on=extra.pop("adopted_on", datetime.date(2026, 3, 4)),
        public_title=extra.pop("public_title", PUBLIC["title"]),
    )
    victim = services.contact_add(
        problem=problem,
        by=pcso,
        kind="victim",
        name=s["contact_name"],
        phone=s["contact_phone"],
        email=s["contact_email"],
        address=s["contact_address"],
        preferred_method="phone",
        notes=s["contact_notes"],
    )
    services.update_add(problem=problem, by=pcso, text=s["internal_update"])
    approved = services.update_add(problem=problem, by=pcso, text=s["approved_original"], propose_public=True)
    services.update_decide(update=approved, by=web_editor, approve=True, public_text=PUBLIC["update"])
    rejected = services.update_add(problem=problem, by=pcso, text=s["rejected_update"], propose_public=True)
    services.update_decide(update=rejected, by=web_editor, approve=False)
    services.update_add(problem=problem, by=pcso, text=s["pending_update"], propose_public=True)
    services.review_record(problem=problem, by=supervisor, comment=s["review_comment"], decision="continue")
    if not close:
        return problem
    services.problem_transition(problem=problem, to=Stage.ANALYSIS, by=pcso)
    services.analysis_save(
        problem=problem,
        by=pcso,
        victim=s["victim"],
        offender=s["offender"],
        location=s["analysis_location"],
        causes=s["causes"],
        objective=s["objective"],
        data_sources=s["data_sources"],
    )
    services.problem_transition(problem=problem, to=Stage.RESPONSE, by=pcso)
    action = services.action_add(
        problem=problem, by=pcso, action_type="enforcement", description=s["action_description"], agency=pcso.agency
    )
    services.action_update(action=action, by=pcso, status="done", result=s["action_result"])
    services.problem_transition(problem=problem, to=Stage.ASSESSMENT, by=pcso)
    services.assessment_save(
        problem=problem,
        by=pcso,
        outcome="reduced",
        reduction_percent=50,
        measure_before=s["measure_before"],
        measure_after="18",
        displacement_checked=True,
        displacement_notes=s["displacement"],
        objective_met=s["objective_met"],
        evidence=s["evidence"],
    )
    services.problem_public_set(problem=problem, by=supervisor, public_outcome=PUBLIC["outcome"])
    # Closure asks for a final contact with each victim (issue 18): the victim is told the outcome.
    services.contact_log(contact=victim, by=pcso, method="visit", summary=s["final_contact"], reached=True, final=True)
    services.problem_transition(problem=problem, to=Stage.CLOSED, by=supervisor, reason=s["closure_reason"])
    return problem


@pytest.fixture
def people(pcso, supervisor, web_editor):  # type: ignore[no-untyped-def]
    pcso.first_name, pcso.last_name = SECRETS["owner_first"], SECRETS["owner_last"]
    pcso.save()
    web_editor.last_name = SECRETS["editor_last"]
    web_editor.save()
    supervisor.last_name = SECRETS["supervisor_last"]
    supervisor.save()
    return {"pcso": pcso, "supervisor": supervisor, "web_editor": web_editor}


@pytest.fixture
def area(neighbourhood, other_neighbourhood):  # type: ignore[no-untyped-def]
    neighbourhood.latitude, neighbourhood.longitude = "51.280000", "1.080000"
    neighbourhood.save()
    return neighbourhood


@pytest.fixture
def priorities(people, area, category):  # type: ignore[no-untyped-def]
    """One closed and one current public priority in Northgate, and one internal-only problem."""
    closed = work_priority(**people, neighbourhood=area, category=category, close=True)
    current = work_priority(
        **people,
        neighbourhood=area,
        category=category,
        close=False,
        public_title="Speeding on Military Road",
        adopted_on=datetime.date(2026, 5, 1),
    )
    hidden = f.ProblemFactory(
        reference="KNT-2026-90001",
        owner=people["pcso"],
        neighbourhood=area,
        category=category,
        title=SECRETS["hidden_title"],
    )
    return {"closed": closed, "current": current, "hidden": hidden}

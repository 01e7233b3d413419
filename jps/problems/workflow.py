"""The SARA state machine: which stage may follow which, who may move it, and what it needs.

The table ``TRANSITIONS`` is the only place that knows this; the services check it,
the UI asks it which buttons to show and why one is disabled, and the API reports
its refusals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..models import CLOSED_STAGES, OPEN_STAGES, Action, Problem, Stage
from ..models.contacts import victims_without_final_contact


class TransitionRefused(Exception):
    """A stage change that the workflow does not allow now; ``missing`` says what it lacks."""

    def __init__(self, message: str, *, missing: list[str] | None = None, conflict: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.missing = missing or []
        self.conflict = conflict


class FinalContactRequired(TransitionRefused):
    """A closure refused because victims have had no final contact (nor a reason for none): ``victims`` names them.

    A ``TransitionRefused`` like any other for the web, which shows what is missing; the API answers
    it with a 400, since what it lacks is input the caller can give (a contact logged, a reason).
    """

    def __init__(self, message: str, *, missing: list[str], victims: list[str]) -> None:
        super().__init__(message, missing=missing)
        self.victims = victims


class _NoFinalContact(str):
    """A missing item naming a victim with no final contact: how ``refusal`` tells them apart."""

    victim: str


def refusal(message: str, missing: list[str]) -> TransitionRefused:
    """The refusal for these missing items: ``FinalContactRequired`` when any is a victim's final contact."""
    victims = [item.victim for item in missing if isinstance(item, _NoFinalContact)]
    if victims:
        return FinalContactRequired(message, missing=missing, victims=victims)
    return TransitionRefused(message, missing=missing)


Guard = Callable[[Problem, str], list[str]]

#: SARA as a person walks it, for a progress bar: the open stages, then one "Closed" for both endings.
PROGRESS: tuple[Stage, ...] = (*OPEN_STAGES, Stage.CLOSED)


def progress_step(stage: str) -> int:
    """Where a problem in ``stage`` stands on ``PROGRESS`` (closed without action counts as closed)."""
    return PROGRESS.index(Stage.CLOSED if stage in CLOSED_STAGES else Stage(stage))


def _needs_statement(problem: Problem, reason: str) -> list[str]:
    return [] if problem.problem_statement.strip() else ["a problem statement naming the behaviour, place and time"]


def _needs_analysis(problem: Problem, reason: str) -> list[str]:
    analysis = getattr(problem, "analysis", None)
    labels = {
        "victim": "the victim in the analysis",
        "offender": "the offender in the analysis",
        "location": "the location in the analysis",
        "objective": "a measurable objective",
    }
    if analysis is None:
        return ["an analysis (victim, offender, location and a measurable objective)"]
    return [label for name, label in labels.items() if not getattr(analysis, name).strip()]


def _needs_completed_action(problem: Problem, reason: str) -> list[str]:
    actions = problem.actions.all()
    if not actions.exists():
        return ["at least one action in the response plan"]
    if not actions.filter(status=Action.Status.DONE).exists():
        return ["at least one action completed with its result"]
    return []


def _needs_assessment(problem: Problem, reason: str) -> list[str]:
    assessment = getattr(problem, "assessment", None)
    if assessment is None:
        return ["an assessment (outcome, evidence and whether displacement was checked)"]
    missing = []
    if not assessment.outcome:
        missing.append("the outcome of the assessment")
    if not assessment.objective_met.strip():
        missing.append("the outcome against the objective")
    if not assessment.evidence.strip():
        missing.append("the evidence in the assessment")
    return missing


def _needs_final_contacts(problem: Problem, reason: str) -> list[str]:
    """Each victim told the outcome before closure (the inspectors: victims were not kept informed),
    or a reason recorded on their contact agreement why that cannot be (``jps.contacts``)."""
    missing: list[str] = []
    for name in victims_without_final_contact(problem):
        item = _NoFinalContact(f"a final contact with the victim {name} (or the reason there can be none)")
        item.victim = name
        missing.append(item)
    return missing


def _needs_reason(problem: Problem, reason: str) -> list[str]:
    return [] if reason.strip() else ["a reason"]


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: str
    permission: str  # a rules permission checked against the problem
    guards: tuple[Guard, ...] = field(default_factory=tuple)

    def missing(self, problem: Problem, reason: str = "") -> list[str]:
        return [item for guard in self.guards for item in guard(problem, reason)]


WORK = "jps.work_problem"
SUPERVISE = "jps.supervise_problem"
#: Closing: a supervisor independent of the problem (not its owner, not who asked for closure).
SIGN_OFF = "jps.sign_off_problem"

TRANSITIONS: dict[tuple[str, str], Transition] = {
    (t.source, t.target): t
    for t in [
        Transition(Stage.SCANNING, Stage.ANALYSIS, "Start analysis", WORK, (_needs_statement,)),
        Transition(Stage.ANALYSIS, Stage.RESPONSE, "Start response", WORK, (_needs_analysis,)),
        Transition(Stage.RESPONSE, Stage.ASSESSMENT, "Start assessment", WORK, (_needs_completed_action,)),
        Transition(
            Stage.ASSESSMENT, Stage.CLOSED, "Sign off and close", SIGN_OFF, (_needs_assessment, _needs_final_contacts)
        ),
        Transition(Stage.SCANNING, Stage.CLOSED_NO_ACTION, "Close without action", SIGN_OFF, (_needs_reason,)),
        Transition(Stage.ANALYSIS, Stage.CLOSED_NO_ACTION, "Close without action", SIGN_OFF, (_needs_reason,)),
        Transition(Stage.ANALYSIS, Stage.SCANNING, "Back to scanning", WORK, (_needs_reason,)),
        Transition(Stage.RESPONSE, Stage.ANALYSIS, "Back to analysis", WORK, (_needs_reason,)),
        Transition(Stage.ASSESSMENT, Stage.RESPONSE, "Back to response", WORK, (_needs_reason,)),
        Transition(Stage.CLOSED, Stage.RESPONSE, "Reopen", SUPERVISE, (_needs_reason,)),
        Transition(Stage.CLOSED_NO_ACTION, Stage.SCANNING, "Reopen", SUPERVISE, (_needs_reason,)),
    ]
}


WHO_MAY = {
    WORK: "the owner or the district's officers",
    SUPERVISE: "a supervisor of this district",
    SIGN_OFF: "a supervisor of this district who neither owns the problem nor asked for its closure",
}


def transitions_from(stage: str) -> list[Transition]:
    return [t for (source, _), t in TRANSITIONS.items() if source == stage]


@dataclass(frozen=True)
class TransitionOption:
    """A transition as one user sees it on one problem: allowed, or why not."""

    transition: Transition
    allowed: bool
    why_not: str
    #: False when the user may never make this move (not their role); True when only guards are unmet,
    #: so the page offers the button and answers a press with what is missing.
    permitted: bool = True

    @property
    def needs_reason(self) -> bool:
        return _needs_reason in self.transition.guards


def transition_options(problem: Problem, user: Any) -> list[TransitionOption]:
    """What the UI shows: each transition from here, and the reason a disabled one is disabled."""
    options = []
    for t in transitions_from(problem.stage):
        if not user.has_perm(t.permission, problem):
            options.append(TransitionOption(t, False, f"Only {WHO_MAY[t.permission]} can do this.", permitted=False))
            continue
        missing = [m for m in t.missing(problem, reason="given") if m != "a reason"]
        why = f"Needs {', '.join(missing)}." if missing else ""
        options.append(TransitionOption(t, not missing, why))
    return options

from .access import ProblemView
from .contacts import Contact, ContactLog
from .evaluation import BestPracticeTag, Evaluation, LearningNeed
from .meetings import Meeting, MeetingItem
from .people import Agency, User
from .persons import Person, PersonRole, Place, PlaceRole, ProblemPerson, ProblemPlace, Vulnerability
from .places import District, Force, Neighbourhood
from .problems import (
    CLOSED_STAGES,
    OPEN_STAGES,
    REVIEW_INTERVAL_DAYS,
    Action,
    Analysis,
    Assessment,
    Category,
    Classification,
    Participation,
    Problem,
    ProblemQuerySet,
    ProgressUpdate,
    ReferenceCounter,
    Risk,
    Source,
    Stage,
    SupervisoryReview,
    Transfer,
    public_name_expression,
    review_overdue_q,
)
from .public import AlertSubscription, Postcode, PublishRun
from .quality import QUALITY_CRITERIA, QUALITY_FIELDS, QualityScore
from .reminders import Reminder
from .reports import ProblemReport, SubmissionKey
from .stages import StageChange
from .two_factor import TOTPDevice

__all__ = [
    "TOTPDevice",
    "CLOSED_STAGES",
    "OPEN_STAGES",
    "REVIEW_INTERVAL_DAYS",
    "public_name_expression",
    "review_overdue_q",
    "Action",
    "Agency",
    "AlertSubscription",
    "Analysis",
    "Assessment",
    "BestPracticeTag",
    "Category",
    "Classification",
    "Contact",
    "ContactLog",
    "District",
    "Evaluation",
    "Force",
    "LearningNeed",
    "Meeting",
    "MeetingItem",
    "Neighbourhood",
    "Participation",
    "Person",
    "PersonRole",
    "Place",
    "PlaceRole",
    "ProblemPerson",
    "ProblemPlace",
    "Vulnerability",
    "Postcode",
    "Problem",
    "ProblemReport",
    "ProblemQuerySet",
    "ProblemView",
    "ProgressUpdate",
    "QUALITY_CRITERIA",
    "QUALITY_FIELDS",
    "QualityScore",
    "PublishRun",
    "ReferenceCounter",
    "Reminder",
    "Risk",
    "Source",
    "Stage",
    "StageChange",
    "SubmissionKey",
    "SupervisoryReview",
    "Transfer",
    "User",
]

from .access import ProblemView
from .attachments import Attachment
from .case_reviews import (
    DEADLINES,
    OPEN_CASE_REVIEW_STATES,
    CaseReviewApplication,
    CaseReviewRecommendation,
    CaseReviewSettings,
    CaseReviewState,
    CitedIncident,
)
from .contacts import Contact, ContactLog
from .evaluation import BestPracticeTag, Evaluation, LearningNeed
from .meetings import Meeting, MeetingItem
from .open311 import Open311Key
from .panels import Panel, PanelAction, PanelItem
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
    Tier,
    Transfer,
    public_name_expression,
    review_overdue_q,
)
from .public import AlertSubscription, Postcode, PublishRun
from .quality import QUALITY_CRITERIA, QUALITY_FIELDS, QualityScore
from .reminders import Reminder
from .reports import ProblemReport, SubmissionKey
from .resident_reports import ResidentNotice, ResidentReport, ResidentReportPhoto
from .risk import RiskAssessment, RiskQuestion, RiskQuestionnaire
from .stages import StageChange
from .team_messages import TeamMessage, TeamMessageReply
from .tiers import DEFAULT_REVIEW_TIERS, RISK_ORDER, ReviewTier
from .two_factor import TOTPDevice
from .webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "DEADLINES",
    "OPEN_CASE_REVIEW_STATES",
    "CaseReviewApplication",
    "CaseReviewRecommendation",
    "CaseReviewSettings",
    "CaseReviewState",
    "CitedIncident",
    "TOTPDevice",
    "CLOSED_STAGES",
    "OPEN_STAGES",
    "REVIEW_INTERVAL_DAYS",
    "RISK_ORDER",
    "DEFAULT_REVIEW_TIERS",
    "public_name_expression",
    "review_overdue_q",
    "Action",
    "Attachment",
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
    "Open311Key",
    "Panel",
    "PanelAction",
    "PanelItem",
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
    "ResidentNotice",
    "ResidentReport",
    "ResidentReportPhoto",
    "TeamMessage",
    "TeamMessageReply",
    "ProblemQuerySet",
    "ProblemView",
    "ProgressUpdate",
    "QUALITY_CRITERIA",
    "QUALITY_FIELDS",
    "QualityScore",
    "PublishRun",
    "ReferenceCounter",
    "Reminder",
    "ReviewTier",
    "Risk",
    "RiskAssessment",
    "RiskQuestion",
    "RiskQuestionnaire",
    "Source",
    "Stage",
    "StageChange",
    "SubmissionKey",
    "SupervisoryReview",
    "Tier",
    "Transfer",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
]

"""The client-review domain, one module per aggregate."""

from assessments.models.assessment import Assessment, AssessmentAnswer, EvidenceThresholds
from assessments.models.clients import Client, Contact
from assessments.models.deliveries import Delivery
from assessments.models.exports import LogExport
from assessments.models.flags import AbuseFlag
from assessments.models.incidents import Evidence, Incident, IncidentVersion
from assessments.models.money import Expense, Invoice, TimeEntry
from assessments.models.plans import OffboardingPlan, ReferralPartner
from assessments.models.reminders import CalendarFeed, EarlyWarning, Reminder
from assessments.models.submissions import Submission

__all__ = [
    "AbuseFlag",
    "Assessment",
    "AssessmentAnswer",
    "CalendarFeed",
    "EarlyWarning",
    "Client",
    "Contact",
    "Delivery",
    "Evidence",
    "Expense",
    "EvidenceThresholds",
    "Incident",
    "IncidentVersion",
    "Invoice",
    "LogExport",
    "OffboardingPlan",
    "ReferralPartner",
    "Reminder",
    "Submission",
    "TimeEntry",
]

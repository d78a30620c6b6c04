"""The client-review domain, one module per aggregate."""

from assessments.models.assessment import Assessment, AssessmentAnswer, EvidenceThresholds
from assessments.models.clients import Client, Contact
from assessments.models.flags import AbuseFlag
from assessments.models.incidents import Evidence, Incident, IncidentVersion
from assessments.models.money import Expense, Invoice, TimeEntry
from assessments.models.plans import OffboardingPlan, ReferralPartner

__all__ = [
    "AbuseFlag",
    "Assessment",
    "AssessmentAnswer",
    "Client",
    "Contact",
    "Evidence",
    "Expense",
    "EvidenceThresholds",
    "Incident",
    "IncidentVersion",
    "Invoice",
    "OffboardingPlan",
    "ReferralPartner",
    "TimeEntry",
]

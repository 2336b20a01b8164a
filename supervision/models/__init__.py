"""Supervision's tables, one module per sub-capability (hierarchy, complaints, ...)."""
from supervision.models.hierarchy import OfficeAgency, OfficeLevel, OfficeMember, SupervisionOffice  # noqa: F401
from supervision.models.complaints import (Complaint, ComplaintChannel, ComplaintEvent,  # noqa: F401
                                           ComplaintOutcome, ComplaintStatus)
from supervision.models.oversight import (AccountabilityDecision, CheckPlan, Finding, Measure,  # noqa: F401
                                          Rectification, RectificationReport, RectificationStatus,
                                          SupervisionCheck)
from supervision.models.evaluation import EvaluationFile, EvaluationRound, EvaluationSheet  # noqa: F401

"""Issuing documents: render to PDF, store write-once and enter the hash in the ledger."""
from __future__ import annotations

from app.timeutil import today_china
from cases.models import CaseDocument, StepKind
from cases.services.common import document_number


STEP_DOCUMENTS = {StepKind.inspection.value: "inspection_record", StepKind.inquiry.value: "inquiry_record",
                  StepKind.evidence_preservation.value: "evidence_notice",
                  StepKind.seizure.value: "seizure_decision"}


def issue_document(case, kind, *, actor, step=None, on=None, number=None, extra=None) -> CaseDocument:
    """Render a document to PDF, store it write-once and enter its hash in the ledger."""
    from cases import documents

    on = on or today_china()
    code = documents.DOCUMENT_KINDS[kind][1]
    number = number or document_number(case.agency, code, on)
    # A snapshot of what the document says where the case keeps only the latest (each advance notice its own).
    snapshot = documents.SNAPSHOTS[kind](case) if kind in documents.SNAPSHOTS else None
    if snapshot is not None:
        extra = {**(extra or {}), "snapshot": snapshot}
    pdf = documents.render_document(case, kind, number=number, step=step, on=on, extra=extra)
    return documents.store_document(case, kind, pdf, number=number, actor=actor, step=step, on=on,
                                    snapshot=snapshot)


def _issue_step_document(step, actor, on=None):
    kind = STEP_DOCUMENTS.get(step.kind)
    if kind:
        issue_document(step.case, kind, actor=actor, step=step, on=on)

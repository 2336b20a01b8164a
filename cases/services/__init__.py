"""Cases: the only code that writes cases, the power list, parties, steps, drafts and documents.

Every entry point (HTML views, the JSON API, the CLI) calls these functions. They check the permission
predicate, the workflow table and the guards, write, append to the ledger in the same transaction, and
flush; the caller commits once.

The package is split by sub-capability; this module re-exports the public verbs so that callers keep
`from cases import services` and `services.apply_action(...)`:

- `common`: the rule-failure error, timeline events with their ledger entries, document numbers
- `matters`: the power list; `parties`: parties; `filing`: creating and filing a case
- `steps`: enforcement steps; `investigation`: the draft decision; `decision`: notice, hearing, decision
- `service`: serving the decision; `execution`: the execution phase's state and effects (催告, court,
  suspension, termination), closing, archiving; `payments`: payments, deferral/instalment plans, statements
- `deadlines`: statutory deadlines; `issuing`: documents; `lifecycle`: `apply_action` and its effects
"""
from cases.services.common import (GuardFailed, document_number, ensure_can_view, ensure_not_future, get_case,
                                   next_serial, record_event)
from cases.services.deadlines import DEADLINES, PARTY_WINDOWS, meet_deadline, set_deadline
from cases.services.decision import extend_decision_deadline, file_on_spot_decision, record_correction_check
from cases.services.execution import SUSPENSION_GROUNDS, TERMINATION_GROUNDS, late_surcharge, reopen_execution
from cases.services.filing import assign_officers, create_case, set_case_flags
from cases.services.investigation import draft_hash, save_draft
from cases.services.issuing import STEP_DOCUMENTS, issue_document
from cases.services.lifecycle import (ACTION_DOCUMENTS, AFTER_ACTION_HOOKS, EFFECTS, allowed_actions,
                                      apply_action)
from cases.services.matters import create_matter, publish_matter, revise_matter
from cases.services.parties import add_party, clean_party
from cases.services.service import effective_service_date
from cases.services.payments import (apply_for_plan, decide_plan, get_plan, record_payment,
                                     record_reminder_statement)
from cases.services.steps import (approve_av_justification, complete_step, get_step, justify_missing_av,
                                  record_step)

__all__ = [
    "ACTION_DOCUMENTS", "AFTER_ACTION_HOOKS", "DEADLINES", "EFFECTS", "PARTY_WINDOWS", "STEP_DOCUMENTS",
    "GuardFailed", "add_party", "allowed_actions", "apply_action", "approve_av_justification",
    "assign_officers", "clean_party", "complete_step", "create_case", "create_matter", "document_number",
    "draft_hash", "effective_service_date", "ensure_can_view", "ensure_not_future", "extend_decision_deadline",
    "file_on_spot_decision", "record_correction_check", "get_case", "get_step", "issue_document",
    "justify_missing_av", "late_surcharge", "meet_deadline", "next_serial", "publish_matter",
    "record_event", "record_step", "reopen_execution", "revise_matter", "save_draft", "set_case_flags", "set_deadline",
    "SUSPENSION_GROUNDS", "TERMINATION_GROUNDS", "apply_for_plan", "decide_plan", "get_plan", "record_payment",
    "record_reminder_statement",
]

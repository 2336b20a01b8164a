"""The review's own lifecycle as one table: (status, action) → next status. Pure: no database, no Flask.
`review.services` is the only caller that changes a submission's status.

    submitted ──take──▶ in_review ──approve──▶ approved
        │                 │  ▲  └──return──▶ returned
        │                 │  └──receive_supplement──┐
        │                 └──request_supplement──▶ supplement_requested
        └─return_incomplete (also from in_review) ─▶ returned_incomplete
    submitted / in_review / supplement_requested ──supersede──▶ superseded (a resubmission replaced it)
"""
from __future__ import annotations

from review.models import SubmissionStatus as S

ACTION_LABELS = {
    "take": "领取审核", "return_incomplete": "材料不全退回", "request_supplement": "要求补充材料",
    "receive_supplement": "提交补充材料", "approve": "审核通过", "return": "退回修改", "supersede": "重新提交",
}

TRANSITIONS: dict[tuple[S, str], S] = {
    (S.submitted, "take"): S.in_review,
    (S.submitted, "return_incomplete"): S.returned_incomplete,
    (S.in_review, "return_incomplete"): S.returned_incomplete,
    (S.in_review, "request_supplement"): S.supplement_requested,
    (S.supplement_requested, "receive_supplement"): S.in_review,
    (S.in_review, "approve"): S.approved,
    (S.in_review, "return"): S.returned,
    (S.submitted, "supersede"): S.superseded,
    (S.in_review, "supersede"): S.superseded,
    (S.supplement_requested, "supersede"): S.superseded,
}

#: A submission in one of these is still being dealt with (it sits in the queue, its clock runs or waits).
OPEN = frozenset({S.submitted, S.in_review, S.supplement_requested})
#: Final outcomes: the review has ended.
CLOSED = frozenset(S) - OPEN
#: Outcomes decided by a reviewer (they count in the return rate).
DECIDED = frozenset({S.approved, S.returned, S.returned_incomplete})


def next_status(status, action) -> S | None:
    return TRANSITIONS.get((S(status), action))


def available(status) -> list[str]:
    s = S(status)
    return [a for (src, a) in TRANSITIONS if src == s]

"""The review's state table (pure)."""
import pytest

from review import workflow
from review.models import SubmissionStatus as S


@pytest.mark.parametrize("status, action, target", [
    (S.submitted, "take", S.in_review),
    (S.submitted, "return_incomplete", S.returned_incomplete),
    (S.in_review, "return_incomplete", S.returned_incomplete),
    (S.in_review, "request_supplement", S.supplement_requested),
    (S.supplement_requested, "receive_supplement", S.in_review),
    (S.in_review, "approve", S.approved),
    (S.in_review, "return", S.returned),
    (S.submitted, "supersede", S.superseded),
    (S.supplement_requested, "supersede", S.superseded),
])
def test_allowed(status, action, target):
    assert workflow.next_status(status, action) is target


@pytest.mark.parametrize("status, action", [
    (S.submitted, "approve"),  # nobody has reviewed it yet
    (S.supplement_requested, "approve"),  # waiting for material
    (S.approved, "return"),
    (S.returned, "approve"),  # a returned package is resubmitted, never revived
    (S.approved, "supersede"),  # an approval is voided by the draft hash, not by a status change
    (S.returned_incomplete, "take"),
])
def test_refused(status, action):
    assert workflow.next_status(status, action) is None


def test_open_and_closed_partition_the_statuses():
    assert workflow.OPEN | workflow.CLOSED == frozenset(S)
    assert not workflow.OPEN & workflow.CLOSED
    assert workflow.DECIDED <= workflow.CLOSED
    assert set(workflow.ACTION_LABELS) == {a for (_, a) in workflow.TRANSITIONS}

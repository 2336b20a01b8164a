"""The lifecycle table, without a database: every transition goes where the table says, nothing else goes."""
import itertools

import pytest

from app.auth.models import Role
from cases import guards, workflow
from cases.models import CaseStatus as S, Procedure as P

TABLE = sorted(workflow.TRANSITIONS.items(), key=lambda kv: (kv[0][0].value, kv[0][1].value, kv[0][2]))
ALL_ACTIONS = sorted(workflow.actions() | {"approve", "delete", "reopen", ""})
TERMINAL = {S.not_filed, S.archived, S.terminated}


@pytest.mark.parametrize("key,t", TABLE, ids=[f"{p.value}:{s.value}:{a}" for (p, s, a), _ in TABLE])
def test_each_transition_goes_where_the_table_says(key, t):
    procedure, source, action = key
    assert workflow.transition(procedure.value, source.value, action) is t
    assert (t.source, t.action) == (source, action)
    assert t in workflow.available(procedure, source)
    assert t.label == workflow.ACTION_LABELS[action]
    assert t.roles and set(t.roles) <= {Role.officer, Role.head}
    # Every guard the table names exists in cases.guards.
    assert set(t.guards) <= set(guards.GUARDS), set(t.guards) - set(guards.GUARDS)


MISSING = [(p, s, a) for p, s, a in itertools.product(P, S, ALL_ACTIONS) if (p, s, a) not in workflow.TRANSITIONS]


@pytest.mark.parametrize("procedure,status,action", MISSING,
                         ids=[f"{p.value}:{s.value}:{a or 'empty'}" for p, s, a in MISSING])
def test_actions_not_in_the_table_are_refused(procedure, status, action):
    assert workflow.transition(procedure, status, action) is None
    assert action not in [t.action for t in workflow.available(procedure, status)]


@pytest.mark.parametrize("status", sorted(TERMINAL, key=lambda s: s.value))
def test_terminal_states_have_no_way_out(status):
    for procedure in P:
        assert workflow.available(procedure, status) == []


def test_every_non_terminal_state_of_each_procedure_can_be_left_and_archive_is_reachable():
    for procedure in P:
        reachable, frontier = {S.draft}, [S.draft]
        while frontier:
            s = frontier.pop()
            for t in workflow.available(procedure, s):
                if t.target not in reachable:
                    reachable.add(t.target)
                    frontier.append(t.target)
        assert S.archived in reachable
        for s in reachable - TERMINAL:
            assert workflow.available(procedure, s), f"{procedure.value}: stuck in {s.value}"


def test_decisions_are_guarded_by_the_rules_of_the_law():
    for key, t in workflow.TRANSITIONS.items():
        if t.action in ("decide", "decide_on_spot"):
            assert {"officers", "draft_decision", "steps_complete"} <= set(t.guards)
        if t.action == "decide":
            assert {"legal_review", "collective_discussion", "decision_deadline"} <= set(t.guards)
            assert t.roles == (Role.head,)
        if t.action == "decide_on_spot":
            assert {"summary_limits", "publicity"} <= set(t.guards)
        if t.action in ("submit_filing", "approve_filing"):
            assert {"publicity", "officers", "limitation"} <= set(t.guards)
        if t.action == "serve_decision":
            assert {"officers", "service"} <= set(t.guards)
    notified = workflow.transition(P.ordinary, S.notified, "decide")
    assert "defence_window" in notified.guards
    # Issue 13: after a notice, no decision heavier than it (APL Art 62) and none without 责令改正 (Art 28);
    # without a notice only a non-penalty decision (APL Art 44); on the spot, place and certificates.
    for source in (S.notified, S.heard):
        assert {"matches_notice", "order_to_correct"} <= set(workflow.transition(P.ordinary, source, "decide").guards)
    assert "notice_required" in workflow.transition(P.ordinary, S.investigated, "decide").guards
    assert {"on_spot_record", "order_to_correct"} <= set(workflow.transition(P.summary, S.draft, "decide_on_spot").guards)
    assert workflow.transition(P.ordinary, S.notified, "serve_notice").target is S.notified  # 重新告知


def test_status_sets_are_consistent():
    assert workflow.OPEN_STATUSES == frozenset(S) - {S.not_filed, S.closed, S.archived, S.terminated}
    assert workflow.STEP_STATUSES <= workflow.OPEN_STATUSES
    assert workflow.DRAFT_STATUSES <= workflow.STEP_STATUSES
    # The draft is frozen once decided: a review approval binds to the draft that was decided.
    assert not {S.decided, S.served, S.executed} & workflow.DRAFT_STATUSES
    # Every status that allows a step or a draft change is one a transition can leave or reach.
    sources = {t.source for t in workflow.TRANSITIONS.values()}
    targets = {t.target for t in workflow.TRANSITIONS.values()}
    assert workflow.STEP_STATUSES <= sources | targets
    # A closed case is not open, a terminated or archived one neither; and nothing leaves "archived".
    for s in (S.closed, S.archived, S.terminated, S.not_filed):
        assert s not in workflow.OPEN_STATUSES
    assert targets | {S.draft} == set(S)


def test_actions_lists_every_action_once_with_a_label():
    assert workflow.actions() == set(workflow.ACTION_LABELS)
    assert workflow.transition("ordinary", "draft", "decide_on_spot") is None
    assert workflow.transition("summary", "draft", "submit_filing") is None


def test_unknown_procedure_or_status_is_an_error_not_a_silent_pass():
    with pytest.raises(ValueError):
        workflow.transition("fast", "draft", "submit_filing")
    with pytest.raises(ValueError):
        workflow.available("ordinary", "nowhere")

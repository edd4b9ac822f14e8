"""The reply parser against the labelled corpus: the accuracy issue 9 asks for."""

from __future__ import annotations

import pytest

from tests.replies.scoring import load_corpus, score, seed_plan_actions


@pytest.fixture(scope="module")
def result():
    return score(load_corpus(), seed_plan_actions())


def test_the_corpus_is_big_and_varied():
    replies = load_corpus()
    assert len(replies) >= 150
    assert sum(reply.clarify for reply in replies) >= 10
    assert sum(len(reply.updates) > 1 for reply in replies) >= 20
    assert sum(bool(reply.warnings) for reply in replies) >= 8


def test_the_corpus_names_only_actions_of_the_plan():
    plan = seed_plan_actions()
    for reply in load_corpus():
        assert set(reply.context) <= set(plan), reply.number
        assert {expected.action for expected in reply.updates} <= set(plan), reply.number


def test_actions_are_attributed(result):
    assert result.attribution.rate >= 0.98, "\n".join(result.misses)


def test_rag_is_read(result):
    assert result.rag.rate >= 0.95, "\n".join(result.misses)


def test_revised_timescales_are_read(result):
    assert result.timescale.rate >= 0.95, "\n".join(result.misses)


def test_nothing_is_proposed_completed_that_is_not(result):
    assert result.false_completed == []


def test_child_data_and_unknown_actions_are_warned_of(result):
    assert result.warnings.rate >= 0.95, "\n".join(result.misses)

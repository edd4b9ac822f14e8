"""Who may do what, as one table: reader, lead, deputy, approver, admin × the verbs' audiences."""

from __future__ import annotations

import pytest

from bot.plan.permissions import may_update_action, may_use
from bot.status.grammar import VERBS

ADMIN, APPROVER, LEAD, DEPUTY, READER = (
    "U0ADMIN01",
    "U0APPROV1",
    "U0LEAD001",
    "U0DEPUTY1",
    "U0READER1",
)
ADMINS, APPROVERS = [ADMIN], [APPROVER]
AUDIENCE = {verb.name: verb.who for verb in VERBS}


@pytest.mark.parametrize(
    ("user", "verb", "allowed"),
    [
        (READER, "status", True),
        (READER, "mine", True),
        (READER, "who", True),
        (READER, "update", True),  # may try; the action's leads decide (below)
        (READER, "lead", False),
        (READER, "pending", False),
        (READER, "export", False),
        (LEAD, "leave", False),
        (APPROVER, "pending", True),
        (APPROVER, "lead", False),
        (ADMIN, "lead", True),
        (ADMIN, "export", True),
        (ADMIN, "pending", False),  # an admin decides only if an approver too
    ],
)
def test_who_may_use_each_verb(user, verb, allowed):
    assert may_use(AUDIENCE[verb], user, admins=ADMINS, approvers=APPROVERS) is allowed


@pytest.mark.parametrize(
    ("user", "allowed"),
    [(LEAD, True), (DEPUTY, True), (ADMIN, True), (APPROVER, False), (READER, False)],
)
def test_who_may_update_an_action(user, allowed):
    assert may_update_action(user, leads=[LEAD], deputies=[DEPUTY], admins=ADMINS) is allowed


def test_every_verb_names_a_known_audience():
    assert set(AUDIENCE.values()) <= {"anyone", "leads", "admins", "approvers"}

"""The App Home view: within Slack's 100 blocks whatever a person leads."""

from __future__ import annotations

from datetime import date

from bot.home.view import MAX_HOME_BLOCKS, HomeData, home_view
from bot.plan.refs import ActionRef
from bot.reminders.records import ActionState


def test_a_lead_of_hundreds_of_actions_stays_within_100_blocks():
    actions = [
        ActionState(ActionRef(1, n), f"Action {n} " + "x" * 300, ("Lead",), date(2019, 1, 1))
        for n in range(1, 400)
    ]
    view = home_view(
        HomeData(
            today=date(2018, 11, 20),
            mine=actions,
            is_admin=True,
            is_approver=True,
            overdue=actions,
            unreachable=["x"] * 500,
        )
    )
    assert len(view["blocks"]) <= MAX_HOME_BLOCKS
    assert "more action" in str(view["blocks"][-12:]) or "more action" in str(view["blocks"])

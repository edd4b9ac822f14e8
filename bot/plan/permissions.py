"""Who may do what to the plan, decided in one place.

Anyone may read. An action's leads, their deputies and the admins may update it (and snooze its
reminders); the admins change the plan; the approvers decide proposals.
"""

from __future__ import annotations

from collections.abc import Collection


def may_update_action(
    user: str, *, leads: Collection[str], deputies: Collection[str], admins: Collection[str]
) -> bool:
    """Whether `user` may update an action (or snooze it) led by `leads`, covered by `deputies`."""
    return user in leads or user in deputies or user in admins


# Who a /plan verb is for (the verb table in bot/status/grammar.py names one of these), and the
# standings that qualify: an admin may do what an approver does only if they are one too.
AUDIENCES = {
    "anyone": {"reader", "lead", "deputy", "approver", "admin"},
    # Checked again per action by may_update_action: here, anyone may try.
    "leads": {"reader", "lead", "deputy", "approver", "admin"},
    "approvers": {"approver"},
    "admins": {"admin"},
}


def standings(user: str, *, admins: Collection[str], approvers: Collection[str]) -> set[str]:
    """What a person is to the plan: always a reader; an admin and/or approver by the settings."""
    found = {"reader"}
    if user in admins:
        found.add("admin")
    if user in approvers:
        found.add("approver")
    return found


def may_use(
    audience: str, user: str, *, admins: Collection[str], approvers: Collection[str]
) -> bool:
    """Whether `user` may use a verb meant for `audience`."""
    return bool(AUDIENCES[audience] & standings(user, admins=admins, approvers=approvers))


def refusal(audience: str, verb: str) -> str:
    """What someone who may not use a verb is told."""
    who = {
        "admins": "the plan's admins (PLANBOT_ADMINS)",
        "approvers": "the plan's approvers (PLANBOT_APPROVERS, the admins unless set)",
    }[audience]
    return f"Only {who} can use `/plan {verb}`. Anyone can use `/plan status`, `mine`, `due`, `overdue` and `who`."

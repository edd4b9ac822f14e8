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

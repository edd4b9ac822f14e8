"""Admins' changes to the plan: New Actions, retimed and closed actions, KPI values and QA ratings."""

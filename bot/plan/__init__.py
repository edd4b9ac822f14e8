"""The plan's vocabulary and rules: pure objects and functions, no Slack and no database."""

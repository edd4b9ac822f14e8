"""planbot: a Slack bot that runs the progress loop of an improvement plan."""

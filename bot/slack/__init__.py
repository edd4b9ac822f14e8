"""The one way the bot sends: answers with their fallbacks, Block Kit within Slack's limits, the client."""

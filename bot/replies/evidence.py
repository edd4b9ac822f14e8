"""Evidence a reply gives for an action: a link, an attached file, or where the evidence is held.

The plan's key counts an action Completed only when it is "completed and evidenced", so the bot
needs to know whether the lead pointed at evidence. Evidence still to come ("will upload the
minutes", "evidence to follow") is no evidence yet.
"""

from __future__ import annotations

import re

# Slack writes links as <https://…|label>; people also paste them bare.
_LINK = re.compile(r"<(https?://[^>|\s]+)(?:\|[^>]*)?>|\bhttps?://[^\s<>]+", re.IGNORECASE)

_PLACE = (
    r"(?:the\s+|our\s+|my\s+)?(?:shared\s+drive|[sgt]\s*:?\s*drive|sharepoint|share\s+point|teams"
    r"|liquid\s*logic|ll|lcs|onedrive|one\s+drive|google\s+drive|the\s+drive|evidence\s+"
    r"(?:log|folder|library|file|tracker)|(?:project|plan|qic|slt)\s+(?:folder|site|file)"
    r"|folder|portal|intranet|file\s+share|k\s*drive|system)"
)
_HELD = re.compile(
    r"\b(?:saved|uploaded|stored|filed|held|placed|put|kept|logged|available|posted|sits)"
    r"\s+(?:on|in|to|onto|into|within|at)\s+" + _PLACE + r"\b"
    r"|\b(?:evidence|minutes|report|copy|copies|documents?|docs?|paperwork|certificates?|"
    r"sign[\s-]?off|signed\s+copy|audit|tor|terms\s+of\s+reference|spreadsheet|action\s+notes"
    r"|notes|slides|register|attendance\s+list|leaflet|policy|procedure|plan|flowchart)s?"
    r"\s+(?:is\s+|are\s+|now\s+|all\s+)*(?:attached|on\s+" + _PLACE + r"|in\s+" + _PLACE + r")\b"
    r"|\b(?:see|please\s+find|i've|i\s+have|have)\s+attached\b|\battached\s+(?:is|are|the|minutes"
    r"|evidence|report|copy|doc)\b"
    r"|\bevidence\s+(?:is\s+|are\s+)?(?:held|saved|stored|available|uploaded|sent|emailed"
    r"|shared|with)\b",
    re.IGNORECASE,
)
_NOT_YET = re.compile(
    r"\b(?:will|to\s+be|be|once|when|no|not|need|needs|going\s+to|can|could|should|would"
    r"|yet\s+to|still\s+to|tbc)\b[\w\s]{0,20}$",
    re.IGNORECASE,
)


def find_evidence(text: str, *, files: int = 0) -> str | None:
    """The evidence the text gives: a link, "attached file", or a note of where it is held."""
    link = _LINK.search(text)
    if link:
        return link.group(1) or link.group(0)
    if files > 0:
        return "attached file"
    for match in _HELD.finditer(text):
        if not _NOT_YET.search(text[max(0, match.start() - 40) : match.start()]):
            return " ".join(match.group(0).split())
    return None

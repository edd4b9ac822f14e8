"""Evidence in a reply: a link, an attached file, a note of where it is held."""

from __future__ import annotations

import pytest

from bot.replies.evidence import find_evidence


@pytest.mark.parametrize(
    ("text", "files", "evidence"),
    [
        ("done <https://tfc.sharepoint.com/a.pdf|leaflet>", 0, "https://tfc.sharepoint.com/a.pdf"),
        ("done https://tfc.sharepoint.com/a.pdf", 0, "https://tfc.sharepoint.com/a.pdf"),
        ("done", 1, "attached file"),
        ("done, evidence on the shared drive", 0, "evidence on the shared drive"),
        ("saved in Liquidlogic", 0, "saved in Liquidlogic"),
        ("minutes attached", 0, "minutes attached"),
        ("copy saved in the evidence folder", 0, "saved in the evidence folder"),
        ("audits on the S drive", 0, "audits on the S drive"),
    ],
)
def test_evidence(text, files, evidence):
    assert find_evidence(text, files=files) == evidence


@pytest.mark.parametrize(
    "text",
    [
        "done",
        "evidence to follow",
        "will upload the minutes to the shared drive",
        "no evidence saved on the shared drive yet",
        "report in development",
        "referral form being developed",
    ],
)
def test_no_evidence(text):
    assert find_evidence(text) is None

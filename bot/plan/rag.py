"""The plan's RAG key: Red, Amber, Green, Completed, plus "not yet rated"."""

from __future__ import annotations

from enum import StrEnum


class Rag(StrEnum):
    """The plan's own RAG key, plus "not yet rated"."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    COMPLETED = "completed"
    UNRATED = "unrated"

    @property
    def label(self) -> str:
        return "Not yet rated" if self is Rag.UNRATED else self.value.capitalize()


# A stored value's RAG: a tenth of `Rag(value)`'s time, which counts where rows are read by the
# thousand (an answer's actions, the digest's history).
RAG_BY_VALUE: dict[str, Rag] = {rag.value: rag for rag in Rag}

RAG_MEANING = {
    Rag.RED: "The action has not yet started or there is significant delay in implementation.",
    Rag.AMBER: "The action has started but there is some delay in implementation.",
    Rag.GREEN: "The action is on track to be completed by the agreed date.",
    Rag.COMPLETED: "The action has been completed and evidenced.",
    Rag.UNRATED: "Nobody has rated this action yet.",
}

# Words that name each rating (compared lower-case, trimmed). Single letters are left to
# spreadsheet cells (bot/spreadsheet/cells.py): in prose "a delay" is not Amber.
_RAG_WORDS = {
    Rag.RED: ("red",),
    Rag.AMBER: ("amber", "orange", "yellow"),
    Rag.GREEN: ("green",),
    Rag.COMPLETED: ("completed", "complete", "done", "blue"),
    Rag.UNRATED: ("", "unrated", "not yet rated", "not rated", "n/a", "-"),
}
_RAG_LOOKUP = {word: rag for rag, words in _RAG_WORDS.items() for word in words}


def parse_rag(text: str | None) -> Rag | None:
    """The Rag a word names ("Amber", "not yet rated"), or None when it names none."""
    return _RAG_LOOKUP.get((text or "").strip().lower())


def valid_rag_words() -> str:
    return "Red, Amber, Green, Completed, or empty for not yet rated"

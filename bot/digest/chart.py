"""The digest's chart: RAG counts per month and per recommendation as stacked bars, as a PNG.

matplotlib is imported inside `render_chart`, never when this module is imported: it costs a few
hundred milliseconds, and every `planbot` command's start-up would pay it. The figure is drawn
with the Agg canvas directly (no pyplot), so nothing needs a display and no global figure state
is shared between threads.
"""

from __future__ import annotations

import io

from bot.digest.digest import Digest
from bot.plan.rag import Rag
from bot.plan.tallies import Tally

# The plan's own RAG colours (as the export fills its RAG cells), and grey for not yet rated.
COLOURS = {
    Rag.RED: "#FF0000",
    Rag.AMBER: "#FFC000",
    Rag.GREEN: "#00B050",
    Rag.COMPLETED: "#0070C0",
    Rag.UNRATED: "#BFBFBF",
}
STACK = (Rag.COMPLETED, Rag.GREEN, Rag.AMBER, Rag.RED, Rag.UNRATED)
# At most this many bars are labelled on an axis; the rest keep their bar but not a label.
MAX_TICK_LABELS = 30


def render_chart(digest: Digest) -> bytes:
    """A PNG of two stacked bar charts: by month (tracker order) and by recommendation (now)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    months = list(digest.months)
    numbers = sorted(digest.by_priority)
    figure = Figure(figsize=(12, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    # A fixed layout: constrained layout measures every label, which costs more than drawing.
    figure.subplots_adjust(left=0.05, right=0.99, top=0.92, bottom=0.22, wspace=0.12)
    by_month, by_priority = figure.subplots(
        1, 2, width_ratios=[max(len(months), 6), max(len(numbers), 10)]
    )
    _stacked(
        by_month,
        [m.label.replace(" ", "\n") + ("\n(live)" if m.live else "") for m in months],
        [m.total for m in months],
        "RAG ratings by month",
    )
    _stacked(
        by_priority,
        [str(n) for n in numbers],
        [digest.by_priority[n] for n in numbers],
        "Current RAG ratings by recommendation",
    )
    handles = [Patch(color=COLOURS[rag], label=rag.label) for rag in reversed(STACK)]
    figure.legend(handles=handles, loc="lower center", ncols=len(STACK), frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _stacked(axes, labels: list[str], tallies: list[Tally], title: str) -> None:
    """Stacked bars, one collection of rectangles per RAG: a patch per bar (matplotlib's bar())
    costs a hundred times more on a plan of a hundred priorities."""
    from matplotlib.collections import PolyCollection

    bottom = [0] * len(labels)
    for rag in STACK:
        boxes = []
        for x, t in enumerate(tallies):
            height = t.count(rag)
            if height:
                y = bottom[x]
                boxes.append(
                    [(x - 0.4, y), (x + 0.4, y), (x + 0.4, y + height), (x - 0.4, y + height)]
                )
                bottom[x] += height
        if boxes:
            axes.add_collection(PolyCollection(boxes, facecolors=COLOURS[rag], linewidths=0))
    axes.set_xlim(-0.6, max(len(labels), 1) - 0.4)
    axes.set_ylim(0, max(max(bottom, default=0), 1) * 1.05)
    axes.set_title(title, fontsize=11)
    step = max(1, -(-len(labels) // MAX_TICK_LABELS))
    positions = list(range(len(labels)))
    axes.set_xticks(positions[::step], labels[::step], fontsize=8)
    axes.set_ylabel("actions")
    axes.spines[["top", "right"]].set_visible(False)
    if not labels:
        axes.text(0.5, 0.5, "no data yet", ha="center", va="center", transform=axes.transAxes)

"""Whatever a lead types, receiving it never raises and never changes a RAG or a timescale
without a confirmation (hypothesis, through the service and the store)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from bot.replies.service import Incoming, receive
from bot.settings import Settings
from store import leads
from store.engine import transaction
from store.models import Action, RagChange, TimescaleChange

NOW = datetime(2018, 11, 20, 10, 0, tzinfo=UTC)
LEAD = "U0LEAD0001"

TEXTS = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.sampled_from(
        [
            "",
            "5.4 done",
            "5.4 RAG: green, new date 31/03/19",
            "all complete 🟢 ✅ :red_circle:",
            "x" * 40_000,
            "\x00\x01\x02 5.3 slipped",
            "5.3/5.4/5.5 on track; the rest delayed",
        ]
    ),
)


def test_any_text_never_raises_and_changes_no_rag_before_confirmation(sqlite_seeded):
    engine = sqlite_seeded
    with transaction(engine) as session:
        leads.map_role(
            session=session,
            role_name="Service Manager - ICRT",
            user_id=LEAD,
            deputy=None,
            at=NOW,
            by="test",
        )
    config = Settings(_env_file=None, planbot_admins=[])
    with Session(engine) as session:
        before = {a.ref: (a.rag, a.timescale) for a in session.exec(select(Action))}
    count = iter(range(10**6))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=TEXTS, threaded=st.booleans())
    def check(text: str, threaded: bool) -> None:
        n = next(count)
        incoming = Incoming(
            user=LEAD,
            channel="D0LEADDM01",
            ts=f"1542700000.{n:06d}",
            thread_ts="1542600000.000001" if threaded else None,
            text=text,
        )
        receive(
            engine=engine, settings=config, now=NOW, today=date(2018, 11, 20), incoming=incoming
        )

    check()
    with Session(engine) as session:
        after = {a.ref: (a.rag, a.timescale) for a in session.exec(select(Action))}
        assert after == before
        assert session.exec(select(RagChange)).all() == []
        assert session.exec(select(TimescaleChange)).all() == []

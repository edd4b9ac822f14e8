"""Reading a plan file (the bundled seed, or an owner's edited copy) into a PlanSpec.

A broken file gets one report naming every problem and where it is; nothing is loaded from it.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import yaml

from bot.plan.rag import Rag, parse_rag
from bot.plan.refs import ActionRef
from bot.plan.roles import normalise_role
from bot.plan.specs import SECTIONS, ActionSpec, MeasureSpec, PlanSpec, PrioritySpec


@dataclass
class PlanFileError(Exception):
    """A plan file that cannot be loaded, with every problem found."""

    source: str
    problems: list[str]

    def __str__(self) -> str:
        listed = "\n".join(f"  - {problem}" for problem in self.problems)
        return f"{self.source} cannot be loaded ({len(self.problems)} problem(s)):\n{listed}"


def bundled_plan_path() -> Path:
    return Path(str(resources.files("bot") / "data" / "seed_plan.yaml"))


def load_bundled_plan() -> PlanSpec:
    """The seed plan that ships with planbot."""
    return read_plan_file(bundled_plan_path())


def read_plan_file(path: Path) -> PlanSpec:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileError(str(path), [f"cannot read the file: {exc}"]) from None
    return plan_from_data(_parse_yaml(text, str(path)), source=str(path))


# libyaml reads the seed plan in a ninth of the pure-Python parser's time (10 ms against 85 ms,
# paid by every `planbot init`, shell and demo); PyYAML builds without it fall back.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_yaml(text: str, source: str) -> object:
    try:
        return yaml.load(text, Loader=_FAST_LOADER)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, ValueError) as exc:
        first = exc
    # A broken file is read again by the pure-Python parser, whose report quotes the line and
    # points at the column (libyaml's names only the position).
    try:
        return yaml.load(text, Loader=_ReportingLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise PlanFileError(source, [f"not valid YAML: {exc}"]) from None
    except (ValueError, RecursionError):
        # A value PyYAML cannot build ("!!int one", an int of 5,000 digits), or nesting too
        # deep for the pure-Python parser, which libyaml reported without crashing.
        raise PlanFileError(source, [f"not valid YAML: {first}"]) from None


class _ReportingLoader(yaml.SafeLoader):
    """The safe loader, but a date-shaped value that is no date ("2019-02-29") is reported where
    it is, as a YAML error: PyYAML lets the calendar's ValueError through, with no position."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> object:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value} is not a date ({exc})", node.start_mark
            ) from None


_ReportingLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _ReportingLoader.construct_yaml_timestamp
)


def _date(value: object, where: str, problems: list[str]) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value  # type: ignore[return-value]
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(f"{where}: {_shown(value)} is not a date (write it as YYYY-MM-DD, or null)")
    return None


def _ints(value: object, where: str, problems: list[str]) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
        problems.append(f"{where}: paragraph_refs must be a list of numbers")
        return []
    return list(value)


# A value quoted in a problem, cut short: a list behind YAML aliases can print as gigabytes.
_brief = reprlib.Repr()
_brief.maxstring = _brief.maxother = 60
_brief.maxlist = _brief.maxdict = 4
_brief.maxlevel = 2
_shown = _brief.repr

# The largest number a plan's numbers are stored in (the databases' INTEGER columns).
MAX_NUMBER = 2**31 - 1


def _text(value: object, where: str, problems: list[str]) -> str | None:
    """A text field: a scalar (a number or a date reads as its text), never a list or mapping,
    whose printed form is not what anybody wrote (and, behind YAML aliases, can be gigabytes)."""
    if value is None:
        return None
    if isinstance(value, list | dict | set | tuple):
        problems.append(
            f"{where}: must be text, not a {'list' if isinstance(value, list) else 'mapping'}"
        )
        return None
    text = str(value).strip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        problems.append(f"{where}: holds a character that is not valid Unicode (a lone surrogate)")
        return None
    return text or None


def _measures(items: object, value_key: str, where: str, problems: list[str]) -> list[MeasureSpec]:
    measures = []
    if not isinstance(items or [], list):
        problems.append(f"{where}s must be a list, one `- name: …` a measure")
        return []
    for index, item in enumerate(items or []):
        row = f"{where} row {index + 1}"
        name = _text(item.get("name"), row, problems) if isinstance(item, dict) else None
        if not name:
            problems.append(f"{row}: needs a name")
            continue
        measures.append(MeasureSpec(name=name, current=_text(item.get(value_key), row, problems)))
    return measures


def plan_from_data(data: object, *, source: str = "plan file") -> PlanSpec:
    """Validate a parsed plan document and build the PlanSpec; raises PlanFileError listing all problems."""
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("priorities"), list):
        raise PlanFileError(source, ["the file needs a top-level `priorities:` list"])
    header = data.get("plan") or {}
    if not isinstance(header, dict):
        problems.append("`plan:` must be a mapping with name, organisation and progress_as_of")
        header = {}
    extra_sections = data.get("sections") or {}
    if not isinstance(extra_sections, dict) or not all(
        isinstance(v, str) for v in extra_sections.values()
    ):
        problems.append(
            "`sections:` must map keys to titles, e.g. `looked_after: Children looked after`"
        )
        extra_sections = {}
    sections = {**SECTIONS, **extra_sections}
    as_of = header.get("progress_as_of")
    if as_of is not None and not isinstance(as_of, str | date):
        problems.append(f"plan.progress_as_of: {_shown(as_of)} is not a date and time")
        as_of = None
    if isinstance(as_of, str):
        try:
            as_of = datetime.fromisoformat(as_of)
        except ValueError:
            problems.append(f"plan.progress_as_of: {_shown(as_of)} is not a date and time")
            as_of = None
    if isinstance(as_of, date) and not isinstance(as_of, datetime):
        as_of = datetime(as_of.year, as_of.month, as_of.day, 12, tzinfo=UTC)
    if isinstance(as_of, datetime) and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)

    priorities: list[PrioritySpec] = []
    seen_priorities: set[int] = set()
    seen_actions: set[str] = set()
    for p_index, raw in enumerate(data["priorities"]):
        where = f"priority #{p_index + 1}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: not a mapping")
            continue
        number = raw.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= MAX_NUMBER:
            problems.append(f"{where}: `number` must be a whole number from 1 to {MAX_NUMBER:,}")
            continue
        where = f"priority {number}"
        if number in seen_priorities:
            problems.append(f"{where}: appears twice")
        seen_priorities.add(number)
        section = raw.get("section")
        if not isinstance(section, str) or section not in sections:
            problems.append(
                f"{where}: section {_shown(section)} is not one of {', '.join(sections)}"
            )
        recommendation = _text(raw.get("recommendation"), where, problems)
        if not recommendation:
            problems.append(f"{where}: needs the recommendation text")
        ofsted = raw.get("ofsted_recommendation")
        if ofsted is not None and (
            not isinstance(ofsted, int) or isinstance(ofsted, bool) or not 1 <= ofsted <= MAX_NUMBER
        ):
            problems.append(
                f"{where}: ofsted_recommendation {_shown(ofsted)} must be a whole number, or left out"
            )
            ofsted = None
        outcomes = raw.get("expected_outcomes") or []
        if not isinstance(outcomes, list):
            problems.append(f"{where}: expected_outcomes must be a list, one outcome per `- ` line")
            outcomes = []
        outcomes = [_text(o, f"{where} expected outcome", problems) or "" for o in outcomes]
        raw_actions = raw.get("actions") or []
        if not isinstance(raw_actions, list):
            problems.append(f"{where}: actions must be a list, one `- id: …` an action")
            raw_actions = []
        actions: list[ActionSpec] = []
        for a_index, raw_action in enumerate(raw_actions):
            action = _action(raw_action, number, f"{where} action #{a_index + 1}", problems)
            if action is None:
                continue
            if action.id in seen_actions:
                problems.append(f"action {action.id}: appears twice")
            seen_actions.add(action.id)
            actions.append(action)
        priorities.append(
            PrioritySpec(
                number=number,
                section=str(section),
                recommendation=recommendation or "",
                ofsted_recommendation=ofsted,
                paragraph_refs=_ints(raw.get("paragraph_refs"), where, problems),
                expected_outcomes=outcomes,
                kpis=_measures(raw.get("kpis"), "current", f"{where} KPI", problems),
                quality_measures=_measures(
                    raw.get("quality_measures"),
                    "current_rating",
                    f"{where} quality measure",
                    problems,
                ),
                note=_text(raw.get("note"), where, problems),
                actions=actions,
            )
        )
    name = _text(header.get("name"), "plan.name", problems)
    organisation = _text(header.get("organisation"), "plan.organisation", problems)
    if problems:
        raise PlanFileError(source, problems)
    return PlanSpec(
        name=name or "Improvement plan",
        organisation=organisation,
        progress_as_of=as_of,
        sections=sections,
        priorities=sorted(priorities, key=lambda p: p.number),
    )


def _action(raw: object, priority: int, where: str, problems: list[str]) -> ActionSpec | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: not a mapping")
        return None
    raw_id = raw.get("id")
    if isinstance(raw_id, float):
        # YAML reads an unquoted 1.10 as the number 1.1: only a quoted id keeps its digits.
        problems.append(
            f'{where}: id {raw_id!r} must be quoted, as in id: "{raw_id}" (unquoted, 1.10 reads as 1.1)'
        )
        return None
    ref = ActionRef.parse(str(raw_id)) if isinstance(raw_id, str | int) else None
    if ref is None:
        problems.append(f'{where}: id {_shown(raw_id)} is not an action number like "{priority}.1"')
        return None
    where = f"action {ref}"
    if ref.priority != priority:
        problems.append(f"{where}: listed under priority {priority}")
    text = _text(raw.get("text"), where, problems)
    if not text:
        problems.append(f"{where}: needs the action text")
    leads = raw.get("leads") or []
    if not isinstance(leads, list):
        problems.append(f"{where}: leads must be a list of roles")
        leads = []
    raw_rag = raw.get("rag")
    rag = parse_rag(str(raw_rag)) if isinstance(raw_rag, str | int) else Rag.UNRATED
    if raw_rag is not None and not isinstance(raw_rag, str | int) or rag is None:
        problems.append(
            f"{where}: RAG {_shown(raw_rag)} is not one of Red, Amber, Green, Completed"
        )
        rag = Rag.UNRATED
    timescale = _date(raw.get("timescale"), where, problems)
    roles = [role for lead in leads if (role := _text(lead, f"{where} lead", problems))]
    return ActionSpec(
        id=str(ref),
        text=text or "",
        leads=[normalise_role(lead) for lead in roles],
        timescale=timescale,
        timescale_as_written=_text(raw.get("timescale_as_written"), where, problems),
        original_timescale=_date(raw.get("original_timescale"), where, problems),
        progress=_text(raw.get("progress"), where, problems),
        rag=rag,
        paragraph_refs=_ints(raw.get("paragraph_refs"), where, problems),
        note=_text(raw.get("note"), where, problems),
        is_new=bool(raw.get("new", False)),
    )

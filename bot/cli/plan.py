"""planbot init, import, export and status: the plan itself."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import (
    UsageError,
    add_today,
    clock_in,
    clock_of,
    open_database,
    safe_url,
)
from bot.clock import Clock, local_date
from bot.plan.roles import merge_role_spellings
from bot.plan.words import counted

if TYPE_CHECKING:
    from bot.settings import Settings  # pydantic: imported by the commands that need it


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    """Create or upgrade the database and load the bundled plan (or --plan FILE); twice changes nothing."""
    from bot.plan.history import PlanArchive
    from bot.plan.plan_file import load_bundled_plan, read_plan_file
    from store import archive, plan
    from store.engine import transaction

    spec = read_plan_file(Path(args.plan)) if args.plan else load_bundled_plan()
    _check_plan_file(spec, args.plan)
    merged = merge_role_spellings(spec.actions)
    engine = open_database(settings, create=True)
    clock = clock_of(args, settings)
    with transaction(engine) as session:
        existing = plan.plan_name(session=session)
        if existing is None:
            archive.load_plan(
                session=session,
                archive=PlanArchive(spec),
                loaded_at=clock.now(),
                source=args.plan or "bundled seed",
                via="import" if args.plan else "seed",
            )
    if existing is not None and args.plan:
        raise UsageError(
            f"{safe_url(settings)} already holds {existing!r}, so {args.plan} was not loaded. "
            f"To replace the plan, use `planbot import {args.plan} --replace` (it keeps a backup)."
        )
    if existing is not None:
        print(
            f"{safe_url(settings)} already holds {existing!r}; schema is up to date, nothing else changed."
        )
        return 0
    roles = len({lead for action in spec.actions for lead in action.leads})
    print(
        f"Loaded {spec.name!r}: {counted(len(spec.priorities), 'priority')}, "
        f"{counted(len(spec.actions), 'action')}, {counted(roles, 'lead role')} into "
        f"{safe_url(settings)}."
    )
    _print_merged_roles(merged)
    return 0


PLAN_FILE_SUFFIXES = (".yaml", ".yml")


def _check_plan_file(spec, source: str | None) -> None:
    """Refuse a plan file with a text no spreadsheet cell could hold (an export would fail)."""
    from bot.plan.specs import texts_too_long

    if source and (problems := texts_too_long(spec)):
        raise UsageError(f"{source} cannot be loaded: " + "; ".join(problems) + ".")


def _print_merged_roles(merged: dict[str, list[str]]) -> None:
    """Say which lead-role spellings became one role (as `leads map` would find them)."""
    if merged:
        listed = "; ".join(
            f"{' and '.join(repr(o) for o in others)} as {kept!r}"
            for kept, others in merged.items()
        )
        print(
            "Lead roles that differ only in case, dashes or spaces are one role, spelt as first "
            f"written: {listed}."
        )


def _parse_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        column, sep, field = pair.partition("=")
        if not sep or not column.strip() or not field.strip():
            raise UsageError(
                f"--map {pair!r} should look like COLUMN=FIELD, e.g. --map 'Owner=lead'"
            )
        mapping[column.strip()] = field.strip()
    return mapping


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Load a council's own plan from .xlsx or .csv (or a plan file, .yaml); a file with bad rows changes nothing."""
    from bot.plan.history import PlanArchive
    from bot.plan.plan_file import read_plan_file
    from bot.spreadsheet import ImportRejected, read_plan_table
    from store import archive, plan
    from store.engine import transaction

    path = Path(args.file)
    if not path.exists():
        raise UsageError(f"{path} does not exist")
    if path.suffix.lower() in PLAN_FILE_SUFFIXES:
        # A plan file in the bundled plan's shape: what `init --plan` loads into an empty
        # database, and the way to replace a plan with one.
        if args.map:
            raise UsageError("--map names a spreadsheet's columns; a plan file has none")
        spec = read_plan_file(path)
        _check_plan_file(spec, str(path))
        imported = PlanArchive(spec, merged_roles=merge_role_spellings(spec.actions))
    else:
        try:
            imported = read_plan_table(
                path, _parse_map(args.map or []), timezone=settings.planbot_timezone
            )
        except ImportRejected as exc:
            print(str(exc), file=sys.stderr)
            print("Nothing was imported.", file=sys.stderr)
            return 2
    engine = open_database(settings, create=True)
    clock = clock_of(args, settings)
    backup = None
    # One writing transaction: the backup holds exactly what the replace removes, and nothing
    # the bot records meanwhile can fall between the two.
    try:
        with transaction(engine) as session:
            existing = plan.plan_name(session=session)
            if existing is None:
                archive.load_plan(
                    session=session, archive=imported, loaded_at=clock.now(), source=path.name
                )
                report = None
            elif not args.replace:
                raise UsageError(
                    f"The database already holds {existing!r}. Nothing was imported; use --replace "
                    "to replace it (a backup of the current plan and its history is written first)."
                )
            else:
                backup = _backup(session, clock, Path(args.backup_dir), settings.planbot_timezone)
                report = archive.replace_plan(
                    session=session,
                    archive=imported,
                    loaded_at=clock.now(),
                    source=path.name,
                    force=args.force,
                )
    except archive.ReplaceRefused as exc:
        if backup is not None:
            backup.unlink(missing_ok=True)  # nothing was replaced: nothing to back up
        raise UsageError(f"{exc} Nothing was imported.") from None
    spec = imported.spec
    name = report.name if report else spec.name
    priorities, actions = len(spec.priorities), len(spec.actions)
    print(
        f"Imported {name!r} from {path.name}: {counted(priorities, 'priority')}, "
        f"{counted(actions, 'action')}."
    )
    _print_merged_roles(imported.merged_roles)
    if report:
        print(f"Replaced from {path.name}: {'; '.join(report.replaced)}.")
        if report.kept_from_database:
            print(
                f"Kept from the database ({path.name} does not carry them), for the priorities "
                f"and actions that are the same: {'; '.join(report.kept_from_database)}."
            )
        if report.frozen_months_added:
            print(f"Frozen months added from {path.name}: {', '.join(report.frozen_months_added)}.")
        if report.frozen_months_kept:
            print(
                f"Frozen months whose tallies {path.name} gives differently were kept as the "
                f"database froze them (--force): {', '.join(report.frozen_months_kept)}."
            )
        lost = []
        if report.history_not_carried:
            lost.append(f"actions {', '.join(report.history_not_carried)}")
        if report.measures_not_carried:
            numbers = ", ".join(map(str, report.measures_not_carried))
            lost.append(f"the KPI values of priorities {numbers}")
        if lost:
            print(
                f"The history of {' and '.join(lost)} was not carried (--force): their numbers "
                "are now different actions, or none."
            )
    if backup:
        print(f"The plan it replaced, with its whole history, is in {backup}.")
    if report and report.dropped_roles:
        print(
            "These roles are not in the new plan, so their Slack users were unmapped: "
            f"{', '.join(report.dropped_roles)}."
        )
    return 0


def _backup(session, clock: Clock, folder: Path, timezone: str) -> Path:
    """Export the current plan and its whole history to a new file before it is replaced."""
    from bot.spreadsheet import write_workbook
    from store import archive

    current = archive.export_archive(session=session)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"planbot-backup-{clock.now():%Y%m%d-%H%M%S}"
    for n in range(1, 1000):
        path = folder / (f"{stem}.xlsx" if n == 1 else f"{stem}-{n}.xlsx")
        try:
            path.open("xb").close()  # claim the name: a backup never overwrites another
        except FileExistsError:
            continue
        try:
            # Written beside the claimed name and renamed over it: never a half-written backup.
            write_workbook(path, current, timezone=timezone)
        except BaseException:
            path.unlink(missing_ok=True)  # the empty claim is not a backup
            raise
        return path
    raise UsageError(f"{folder} already holds 999 backups named {stem}*; move some away.")


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write the plan in its own layout to .xlsx (with RAG colours and the tracker) or .csv."""
    from sqlmodel import Session

    from bot.spreadsheet import TextTooLong, write_csv, write_workbook
    from store import archive, plan

    path = Path(args.file)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError(f"{path.name}: export writes .xlsx or .csv files")
    engine = open_database(settings)
    with Session(engine) as session:
        if not plan.plan_exists(session=session):
            raise UsageError("The database holds no plan yet; run `planbot init` first.")
        current = archive.export_archive(session=session)
    try:
        if path.suffix.lower() == ".csv":
            write_csv(path, current.spec)
        else:
            write_workbook(path, current, timezone=settings.planbot_timezone)
    except TextTooLong as exc:
        # A failure at run time (the data is stored; the format cannot hold it), not bad input.
        print(f"planbot: {path} was not written: {exc}.", file=sys.stderr)
        return 1
    count = len(current.spec.actions)
    print(f"Wrote {count} {'action' if count == 1 else 'actions'} to {path}.")
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    """Print what `/plan status` shows: the plan, a priority (7), an action (7.3) or `rec 9`."""
    from sqlmodel import Session

    from bot.status.service import answer_status

    question = _status_question(args)
    engine = open_database(settings)
    timezone = settings.planbot_timezone
    today = local_date(clock_in(args, timezone), timezone)
    with Session(engine) as session:
        # The JSON lists every action of the whole plan; the text needs only its counts.
        answer = answer_status(session=session, command=question, today=today, detailed=args.json)
    return _print_status(args, answer, today, timezone)


def quick_status(args: argparse.Namespace) -> int | None:
    """`planbot status` on a SQLite plan, read without pydantic or SQLAlchemy, whose imports
    alone cost twice its start-up budget (PRODUCT.md §7; store/quick.py). It reads the only two
    settings it uses, as the settings object would; None when the ordinary path must answer
    (another database, a schema to upgrade, a setting or .env file to refuse or warn about), and
    then it has changed and printed nothing. Settings that `status` does not use are checked by
    the commands that use them."""
    from bot.environment import (
        DEFAULT_DATABASE_URL,
        DEFAULT_TIMEZONE,
        ENV_FILE,
        SettingsError,
        check_env_file,
        is_timezone,
        read_settings,
        unknown_variables,
    )
    from bot.status.service import answer_status
    from store.quick import read_quickly, sqlite_file

    env_file = Path(ENV_FILE)
    if env_file.exists() and not env_file.is_file():
        return None  # a pipe, say, which pydantic-settings reads and can be read only once
    try:
        check_env_file(env_file)
    except SettingsError:
        return None
    if unknown_variables():
        return None
    values = read_settings(("DATABASE_URL", "PLANBOT_TIMEZONE"))
    path = sqlite_file(values.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    timezone = values.get("PLANBOT_TIMEZONE", DEFAULT_TIMEZONE)
    if path is None or not is_timezone(timezone):
        return None
    question = _status_question(args)
    today = local_date(clock_in(args, timezone), timezone)
    answer = read_quickly(
        path,
        lambda reader: answer_status(
            session=reader, command=question, today=today, detailed=args.json
        ),
    )
    return None if answer is None else _print_status(args, answer, today, timezone)


def _status_question(args: argparse.Namespace):
    """The status command `planbot status …` asks, or a UsageError saying what is valid."""
    from bot.status import grammar

    parsed = grammar.parse(" ".join(["status", *args.target]))
    if isinstance(parsed, grammar.Invalid):
        raise UsageError(_in_cli_words(parsed.plain or parsed.message))
    return parsed


def _in_cli_words(said: str) -> str:
    """An answer meant for `/plan status`, pointing at `planbot status` instead."""
    return said.replace("/plan status", "planbot status").replace("`", "")


def _print_status(args: argparse.Namespace, answer, today: date, timezone: str) -> int:
    from bot.status.answers import answer_json, answer_text

    if answer.error:
        raise UsageError(_in_cli_words(answer.error))
    if args.json:
        print(json.dumps(answer_json(answer), indent=2, ensure_ascii=False))
    else:
        print(answer_text(answer, today, timezone))
    return 0


def configure_init(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--plan",
        metavar="FILE",
        help="a plan file (YAML, the bundled plan's shape) instead of the bundled plan",
    )
    add_today(p)


def configure_import(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help=".xlsx, .csv, or a plan file (.yaml)")
    p.add_argument(
        "--map", action="append", metavar="COLUMN=FIELD", help="say which column holds which field"
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="replace the plan the database holds (a backup is written first)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="with --replace: replace history the file lacks (recorded after it was exported)",
    )
    p.add_argument(
        "--backup-dir",
        default=".",
        metavar="DIR",
        help="where --replace writes the backup (default: here)",
    )
    add_today(p)


def configure_export(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="plan.xlsx or plan.csv")


def configure_status(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "target",
        nargs="*",
        metavar="N | N.M | rec M",
        help="a priority, an action or an Ofsted recommendation",
    )
    p.add_argument("--json", action="store_true")
    add_today(p)


# Each command: what it runs, and the arguments it takes.
COMMANDS = {
    "init": (cmd_init, configure_init),
    "import": (cmd_import, configure_import),
    "export": (cmd_export, configure_export),
    "status": (cmd_status, configure_status),
}

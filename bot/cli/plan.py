"""planbot init, import, export and status: the plan itself."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.cli.common import UsageError, add_today, clock_of, open_database, safe_url
from bot.clock import Clock, local_date
from bot.settings import Settings


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    """Create or upgrade the database and load the bundled plan (or --plan FILE); twice changes nothing."""
    from bot.plan.history import PlanArchive
    from bot.plan.plan_file import load_bundled_plan, read_plan_file
    from store import archive, plan
    from store.engine import transaction

    spec = read_plan_file(Path(args.plan)) if args.plan else load_bundled_plan()
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
            "To replace the plan, use `planbot import FILE --replace` (it keeps a backup)."
        )
    if existing is not None:
        print(
            f"{safe_url(settings)} already holds {existing!r}; schema is up to date, nothing else changed."
        )
        return 0
    roles = len({lead for action in spec.actions for lead in action.leads})
    print(
        f"Loaded {spec.name!r}: {len(spec.priorities)} priorities, {len(spec.actions)} actions, "
        f"{roles} lead roles into {safe_url(settings)}."
    )
    return 0


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
    """Load a council's own plan from .xlsx or .csv; a file with bad rows changes nothing."""
    from bot.spreadsheet import ImportRejected, read_plan_table
    from store import archive, plan
    from store.engine import transaction

    path = Path(args.file)
    if not path.exists():
        raise UsageError(f"{path} does not exist")
    try:
        imported = read_plan_table(path, _parse_map(args.map or []))
    except ImportRejected as exc:
        print(str(exc), file=sys.stderr)
        print("Nothing was imported.", file=sys.stderr)
        return 2
    engine = open_database(settings, create=True)
    clock = clock_of(args, settings)
    # One writing transaction: the backup holds exactly what the replace removes, and nothing
    # the bot records meanwhile can fall between the two.
    with transaction(engine) as session:
        existing = plan.plan_name(session=session)
        if existing is None:
            archive.load_plan(
                session=session, archive=imported, loaded_at=clock.now(), source=path.name
            )
            backup, report = None, None
        elif not args.replace:
            raise UsageError(
                f"The database already holds {existing!r}. Nothing was imported; use --replace to "
                "replace it (a backup of the current plan and its history is written first)."
            )
        else:
            backup = _backup(session, clock, Path(args.backup_dir))
            try:
                report = archive.replace_plan(
                    session=session,
                    archive=imported,
                    loaded_at=clock.now(),
                    source=path.name,
                    force=args.force,
                )
            except archive.ReplaceRefused as exc:
                raise UsageError(f"{exc} Nothing was imported.") from None
    spec = imported.spec
    print(
        f"Imported {spec.name!r} from {path.name}: {len(spec.priorities)} priorities, {len(spec.actions)} actions."
    )
    if backup:
        print(f"The plan it replaced, with its whole history, is in {backup}.")
    if report and report.kept_from_database:
        print(
            f"{path.name} has no sheet for {', '.join(report.kept_from_database)}: the database's were kept."
        )
    if report and report.dropped_roles:
        print(
            f"These roles are not in the new plan, so their Slack users were unmapped: {', '.join(report.dropped_roles)}."
        )
    return 0


def _backup(session, clock: Clock, folder: Path) -> Path:
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
        write_workbook(path, current)
        return path
    raise UsageError(f"{folder} already holds 999 backups named {stem}*; move some away.")


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write the plan in its own layout to .xlsx (with RAG colours and the tracker) or .csv."""
    from sqlmodel import Session

    from bot.spreadsheet import write_csv, write_workbook
    from store import archive, plan

    path = Path(args.file)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError(f"{path.name}: export writes .xlsx or .csv files")
    engine = open_database(settings)
    with Session(engine) as session:
        if not plan.plan_exists(session=session):
            raise UsageError("The database holds no plan yet; run `planbot init` first.")
        current = archive.export_archive(session=session)
    if path.suffix.lower() == ".csv":
        write_csv(path, current.spec)
    else:
        write_workbook(path, current)
    print(f"Wrote {len(current.spec.actions)} actions to {path}.")
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    """Print what `/plan status` shows: the plan, a priority (7), an action (7.3) or `rec 9`."""
    from sqlmodel import Session

    from bot.status import grammar
    from bot.status.answers import answer_json, answer_text
    from bot.status.service import answer_status

    parsed = grammar.parse(" ".join(["status", *args.target]))
    if isinstance(parsed, grammar.Invalid):
        raise UsageError(parsed.message.replace("/plan status", "planbot status").replace("`", ""))
    engine = open_database(settings)
    with Session(engine) as session:
        answer = answer_status(session=session, command=parsed)
    if answer.error:
        raise UsageError(answer.error)
    today = local_date(clock_of(args, settings), settings.planbot_timezone)
    if args.json:
        print(json.dumps(answer_json(answer), indent=2, ensure_ascii=False))
    else:
        print(answer_text(answer, today, settings.planbot_timezone))
    return 0


def configure_init(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--plan",
        metavar="FILE",
        help="a plan file (YAML, the bundled plan's shape) instead of the bundled plan",
    )
    add_today(p)


def configure_import(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help=".xlsx or .csv")
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

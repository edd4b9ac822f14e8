"""The `planbot` command: set-up and operations.

Exit codes: 0 done, 1 something failed at run time, 2 bad input or settings (with a message on
stderr saying what is wrong and what is valid).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from bot.clock import Clock, FixedClock, SystemClock, local_date
from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("planbot")


class UsageError(Exception):
    """Bad input on the command line; the message says what is valid."""


def _today(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2018-11-20"
        ) from None


def _clock(args: argparse.Namespace, settings: Settings) -> Clock:
    """The simulated clock of --today (09:00 plan time that day), or the real one."""
    if getattr(args, "today", None):
        return FixedClock.at_date(args.today, settings.planbot_timezone)
    return SystemClock()


def _engine(settings: Settings, *, create: bool = False):
    """The migrated database; only `init` and `import` may create one that does not exist yet."""
    from store.engine import make_engine, migrate, sqlite_path

    path = sqlite_path(settings.database_url)
    if path is not None and not create and not path.exists():
        raise UsageError(
            f"There is no planbot database at {path}: run `planbot init` first "
            "(DATABASE_URL says where the database lives; a relative path is relative to this folder)."
        )
    engine = make_engine(settings.database_url)
    migrate(engine)
    return engine


def _safe_url(settings: Settings) -> str:
    """The database for messages: a SQLite file's full path, or the URL without its password."""
    from sqlalchemy.engine import make_url

    from store.engine import sqlite_path

    path = sqlite_path(settings.database_url)
    return (
        str(path) if path else make_url(settings.database_url).render_as_string(hide_password=True)
    )


# --- Commands ----------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    """Create or upgrade the database and load the bundled plan (or --plan FILE); twice changes nothing."""
    from bot.domain import PlanArchive
    from bot.plan_file import load_bundled_plan, read_plan_file
    from store import archive, plan_store
    from store.engine import transaction

    spec = read_plan_file(Path(args.plan)) if args.plan else load_bundled_plan()
    engine = _engine(settings, create=True)
    clock = _clock(args, settings)
    with transaction(engine) as session:
        existing = plan_store.plan_name(session=session)
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
            f"{_safe_url(settings)} already holds {existing!r}, so {args.plan} was not loaded. "
            "To replace the plan, use `planbot import FILE --replace` (it keeps a backup)."
        )
    if existing is not None:
        print(
            f"{_safe_url(settings)} already holds {existing!r}; schema is up to date, nothing else changed."
        )
        return 0
    roles = len({lead for action in spec.actions for lead in action.leads})
    print(
        f"Loaded {spec.name!r}: {len(spec.priorities)} priorities, {len(spec.actions)} actions, "
        f"{roles} lead roles into {_safe_url(settings)}."
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
    from store import archive, plan_store
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
    engine = _engine(settings, create=True)
    clock = _clock(args, settings)
    # One writing transaction: the backup holds exactly what the replace removes, and nothing
    # the bot records meanwhile can fall between the two.
    with transaction(engine) as session:
        existing = plan_store.plan_name(session=session)
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
    from store import archive, plan_store

    path = Path(args.file)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError(f"{path.name}: export writes .xlsx or .csv files")
    engine = _engine(settings)
    with Session(engine) as session:
        if not plan_store.plan_exists(session=session):
            raise UsageError("The database holds no plan yet; run `planbot init` first.")
        current = archive.export_archive(session=session)
    if path.suffix.lower() == ".csv":
        write_csv(path, current.spec)
    else:
        write_workbook(path, current)
    print(f"Wrote {len(current.spec.actions)} actions to {path}.")
    return 0


def cmd_leads(args: argparse.Namespace, settings: Settings) -> int:
    """List lead roles with their actions and Slack users, or map a role to a user."""
    from sqlmodel import Session

    from bot.domain import SLACK_USER_ID
    from store import plan_store
    from store.engine import transaction

    engine = _engine(settings)
    if args.leads_command in ("map", "unmap"):
        for user in filter(None, (args.user, getattr(args, "deputy", None))):
            if not SLACK_USER_ID.match(user):
                raise UsageError(f"{user!r} is not a Slack user id; ids look like U0123ABCD")
    if args.leads_command == "unmap":
        try:
            with transaction(engine) as session:
                removed = plan_store.unmap_role(
                    session=session, role_name=args.role, user_id=args.user
                )
        except plan_store.UnknownRole as exc:
            raise UsageError(str(exc)) from None
        if not removed:
            raise UsageError(
                f"{args.user} does not lead or deputise for {args.role!r}; nothing changed."
            )
        print(f"{args.user} no longer leads or deputises for {removed!r}.")
        return 0
    if args.leads_command == "map":
        if args.deputy and args.deputy == args.user:
            raise UsageError(
                "A role's lead cannot be their own deputy; name someone else with --deputy."
            )
        try:
            with transaction(engine) as session:
                role = plan_store.map_role(
                    session=session,
                    role_name=args.role,
                    user_id=args.user,
                    deputy=args.deputy,
                    at=_clock(args, settings).now(),
                    by="cli",
                )
                name = role.name
        except plan_store.UnknownRole as exc:
            raise UsageError(str(exc)) from None
        deputy = f" with deputy {args.deputy}" if args.deputy else ""
        print(f"{name!r} is led by {args.user}{deputy}.")
        return 0
    with Session(engine) as session:
        roles = plan_store.roles(session=session)
    if args.json:
        print(json.dumps([r.__dict__ for r in roles], indent=2))
        return 0
    if not roles:
        print("No lead roles: load a plan with `planbot init`.")
    for role in roles:
        people = ", ".join(role.users) or "not mapped"
        if role.deputies:
            people += f" (deputy {', '.join(role.deputies)})"
        print(f"{role.name}\n    actions: {', '.join(role.actions) or 'none'}\n    slack: {people}")
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    """Print what `/plan status` shows: the plan, a priority (7), an action (7.3) or `rec 9`."""
    from sqlmodel import Session

    from bot import commands
    from bot.queries import answer_json, answer_status, answer_text

    parsed = commands.parse(" ".join(["status", *args.target]))
    if isinstance(parsed, commands.Invalid):
        raise UsageError(parsed.message.replace("/plan status", "planbot status").replace("`", ""))
    engine = _engine(settings)
    with Session(engine) as session:
        answer = answer_status(session=session, command=parsed)
    if answer.error:
        raise UsageError(answer.error)
    today = local_date(_clock(args, settings), settings.planbot_timezone)
    if args.json:
        print(json.dumps(answer_json(answer), indent=2, ensure_ascii=False))
    else:
        print(answer_text(answer, today, settings.planbot_timezone))
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the bot: Socket Mode by default, or an HTTP endpoint at /slack/events with --http."""
    from bot.runner import run

    return run(settings, http=args.http, port=args.port, host=args.host)


def cmd_shell(args: argparse.Namespace, settings: Settings) -> int:
    """Talk to the real app through the local Slack double, on a scratch copy of the database."""
    from bot.shell import run_shell

    return run_shell(settings, today=args.today, stdin=sys.stdin, stdout=sys.stdout)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Play the plan's loop on the bundled plan against the local Slack double, and print it."""
    from bot.demo import run_demo

    return run_demo(
        settings, today=args.today, out=Path(args.out) if args.out else None, stdout=sys.stdout
    )


# --- Parser ------------------------------------------------------------------------------------

COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "init": cmd_init,
    "import": cmd_import,
    "export": cmd_export,
    "leads": cmd_leads,
    "status": cmd_status,
    "run": cmd_run,
    "shell": cmd_shell,
    "demo": cmd_demo,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planbot", description="Runs the progress loop of an improvement plan in Slack."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, **kwargs) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=COMMANDS[name].__doc__.splitlines()[0],
            description=COMMANDS[name].__doc__,
            **kwargs,
        )

    def today(p: argparse.ArgumentParser) -> None:
        p.add_argument("--today", type=_today, metavar="DATE", help="simulated date (YYYY-MM-DD)")

    p = add("init")
    p.add_argument(
        "--plan",
        metavar="FILE",
        help="a plan file (YAML, the bundled plan's shape) instead of the bundled plan",
    )
    today(p)
    p = add("import")
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
    today(p)
    p = add("export")
    p.add_argument("file", metavar="FILE", help="plan.xlsx or plan.csv")
    p = add("leads")
    p.add_argument("--json", action="store_true")
    leads_sub = p.add_subparsers(dest="leads_command", metavar="map | unmap")
    m = leads_sub.add_parser(
        "map",
        help="map a lead role to a Slack user",
        description="Map a lead role to a Slack user.",
    )
    m.add_argument("role", metavar="ROLE")
    m.add_argument("user", metavar="USER_ID")
    m.add_argument("--deputy", metavar="USER_ID", help="who covers the role on leave")
    today(m)
    u = leads_sub.add_parser(
        "unmap",
        help="stop mapping a Slack user to a lead role",
        description="Stop mapping a Slack user (lead or deputy) to a lead role.",
    )
    u.add_argument("role", metavar="ROLE")
    u.add_argument("user", metavar="USER_ID")
    p = add("status")
    p.add_argument(
        "target",
        nargs="*",
        metavar="N | N.M | rec M",
        help="a priority, an action or an Ofsted recommendation",
    )
    p.add_argument("--json", action="store_true")
    today(p)
    p = add("run")
    p.add_argument(
        "--http", action="store_true", help="serve /slack/events over HTTP instead of Socket Mode"
    )
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--host", default="0.0.0.0")
    p = add("shell")
    today(p)
    p = add("demo")
    p.add_argument("--out", metavar="DIR", help="where the demo's files go")
    today(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Alembic narrates every start at INFO; planbot reports what it did itself.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
    from slack_sdk.errors import SlackApiError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.plan_file import PlanFileError
    from store.archive import PlanAlreadyLoaded

    try:
        return COMMANDS[args.command](args, settings)
    except PlanAlreadyLoaded:
        print(
            "Another planbot loaded a plan into this database meanwhile; nothing was changed.",
            file=sys.stderr,
        )
        return 2
    except (UsageError, PlanFileError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        # One line, without the statement (it may hold data) or the URL (it may hold a password).
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"planbot: the database at {_safe_url(settings)} failed: {reason}", file=sys.stderr)
        return 1
    except SlackApiError as exc:
        print(
            f"planbot: Slack refused {exc.response.api_url}: {exc.response.get('error')}",
            file=sys.stderr,
        )
        return 1
    except BrokenPipeError:
        # `planbot status | head` closed the pipe: not an error; keep Python from complaining at exit.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except OSError as exc:
        print(f"planbot: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""`python -m store.bake`: write store/sqlite_statements.py, the named reads compiled for SQLite.

store/plan.py names the statements every `/plan status` answer reads; compiled here with the
same SQLite dialect the engine uses, they let `planbot status` read a SQLite plan without
importing SQLAlchemy (store/quick.py). tests/store/test_quick.py fails when the file is not what
this writes, naming this command.
"""

from __future__ import annotations

import pprint
from pathlib import Path

TARGET = Path(__file__).with_name("sqlite_statements.py")
HEADER = '''"""The named reads of store/plan.py compiled for SQLite, for store/quick.py.

Written by `python -m store.bake` from store/plan_statements.py; do not edit. HEAD is the schema
revision they were written for: a database at another revision is read the ordinary way.
"""

# ruff: noqa: E501
'''


def compiled() -> tuple[str, dict[str, tuple[str, tuple[tuple[str, object], ...]]]]:
    """The schema revision, and each named read's SQL with its parameters in order (name,
    default: None for those a read passes, the value for the statement's own, like LIMIT 1)."""
    from sqlalchemy import create_engine

    from store.engine import HEAD
    from store.plan import NAMED_READS

    dialect = create_engine("sqlite://").dialect
    statements = {}
    for query in NAMED_READS:
        statement = query.statement.compile(dialect=dialect)
        defaults = statement.construct_params(_check=False)
        statements[query.name] = (
            statement.string,
            tuple((name, defaults[name]) for name in statement.positiontup),
        )
    return HEAD, statements


def source() -> str:
    head, statements = compiled()
    return f"{HEADER}\nHEAD = {head!r}\nSTATEMENTS = {pprint.pformat(statements, width=100)}\n"


if __name__ == "__main__":
    TARGET.write_text(source(), encoding="utf-8")
    print(f"Wrote {TARGET}.")

"""What is wrong with an import file: RowProblem (one row, one column, why) and ImportRejected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with an import file: where (1-based spreadsheet row, heading) and why.

    `row` is None for a problem with the whole file; `sheet` names a workbook sheet other than
    the plan's own table.
    """

    row: int | None
    column: str | None
    message: str
    sheet: str | None = None

    def describe(self, source: str) -> str:
        where = source
        if self.sheet:
            where += f" sheet {self.sheet!r}"
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f" ({self.column})"
        return f"{where}: {self.message}"


@dataclass
class ImportRejected(Exception):
    """A plan file that cannot be imported, with every problem found; nothing was read from it."""

    source: str
    problems: list[RowProblem]

    MAX_LISTED = 50

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0].describe(self.source)
        lines = [
            f"{self.source} cannot be imported ({len(self.problems)} problems); nothing was loaded:"
        ]
        lines += [
            f"  {problem.describe(self.source)}" for problem in self.problems[: self.MAX_LISTED]
        ]
        if len(self.problems) > self.MAX_LISTED:
            lines.append(f"  … and {len(self.problems) - self.MAX_LISTED} more")
        return "\n".join(lines)

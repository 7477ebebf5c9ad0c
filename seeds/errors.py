"""Seed-list errors: every problem names its file, line and field."""

from __future__ import annotations

from dataclasses import dataclass

from errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class SeedListError(InvalidInput):
    """A seed list that cannot be used; ``problems`` lists every one found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: p.line)   # in file order
        shown = "; ".join(str(p) for p in self.problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"{len(problems)} problem(s): {shown}{more}")

    def lines(self) -> list[str]:
        """Every problem on its own line, then what became of the list: nothing written."""
        return [*map(str, self.problems), f"{len(self.problems)} problem(s); nothing was written."]

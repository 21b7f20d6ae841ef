"""What an annotation import says it did, whatever the file's format."""

from dataclasses import dataclass, field


@dataclass
class AnnotationImportReport:
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    # One line per problem about the whole file, then one per bad row,
    # annotation or line, in file order ("row 3: a; b").
    errors: list[str] = field(default_factory=list)
    written: bool = False
    # Problems found row by row, (order, where, message), until
    # ``finish`` turns them into errors.
    row_problems: list[tuple[tuple, str, str]] = field(default_factory=list, repr=False)
    # Where in the file a reader is (its row, or line and span), the order
    # of a problem ``fail`` is not told one.
    place: tuple = field(default=(), repr=False)

    # What the summary calls the file's items (a class attribute, not a field).
    item_name = "row"

    def fail(self, where: str, message: str, *, order: tuple | None = None) -> None:
        """Record a problem with one row (``where`` names it, ``order`` is
        its place in the file, for sorting; by default ``place``)."""
        self.row_problems.append((self.place if order is None else order, where, message))

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.row_problems)

    def finish(self) -> None:
        """Move the row problems into ``errors``, a line per row in file
        order with its problems joined, and zero the counts of a file that
        is refused (nothing of it was written)."""
        by_place: dict[str, tuple[tuple, list[str]]] = {}
        for order, where, message in self.row_problems:
            by_place.setdefault(where, (order, []))[1].append(message)
        places = sorted(by_place.items(), key=lambda item: item[1][0])
        self.errors.extend(f"{where}: {'; '.join(messages)}" for where, (_, messages) in places)
        self.row_problems = []
        if self.errors:
            self.written = False
            self.new = self.updated = self.unchanged = 0

    def summary(self) -> str:
        if self.errors:
            return f"rejected: {len(self.errors)} problem(s) in {self.total} {self.item_name}(s); nothing was written"
        verb = "imported" if self.written else "would import (dry run)"
        return (
            f"{verb} {self.total} {self.item_name}(s): {self.new} new, {self.updated} updated, "
            f"{self.unchanged} unchanged{self.summary_details()}"
        )

    def summary_details(self) -> str:
        """Anything a kind of import adds to the summary, as " (…)"."""
        return ""

    def as_dict(self) -> dict:
        """The report as the API answers it and a background job keeps it."""
        return {
            "summary": self.summary(),
            "written": self.written,
            "total": self.total,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
        }

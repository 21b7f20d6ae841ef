"""What an annotation import says it did, whatever the file's format."""

from dataclasses import dataclass, field


@dataclass
class AnnotationImportReport:
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    written: bool = False

    # What the summary calls the file's items (a class attribute, not a field).
    item_name = "row"

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

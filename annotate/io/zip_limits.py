"""Zip files refused before they are inflated: an XLSX of 300 kB can
unpack to 300 MB, and a reader that trusts it grows by that much before
it can say anything. The sizes a zip's directory declares are what
Python's zipfile will return at most (a member that inflates past its
declared size reads short and fails its CRC), so checking them first
bounds what any reader (openpyxl, the archive restore) can be made to
hold."""

import zipfile


class ZipTooLarge(ValueError):
    """A member, or all of them, would unpack past the limit."""


def refuse_large_members(archive: zipfile.ZipFile, *, member_limit: int, total_limit: int | None = None) -> None:
    """Raise ZipTooLarge, naming the member and the limit, unless every
    member unpacks to at most ``member_limit`` bytes and all of them
    together to at most ``total_limit``."""
    total = 0
    for info in archive.infolist():
        if info.file_size > member_limit:
            raise ZipTooLarge(
                f"{info.filename} would unpack to {info.file_size:,} bytes, more than the limit of {member_limit:,}"
            )
        total += info.file_size
    if total_limit is not None and total > total_limit:
        raise ZipTooLarge(f"the file would unpack to {total:,} bytes, more than the limit of {total_limit:,}")

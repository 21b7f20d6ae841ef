"""Zip bombs are refused before they are inflated (annotate/io/zip_limits.py):
XLSX imports and project archives check every member's unpacked size
against a limit first, and the refusal names it."""

import io
import tracemalloc
import zipfile

import pytest

from annotate.io.annotations_in import import_annotation_file
from annotate.io.backup import ArchiveError
from annotate.io.backup.restore import project_import
from annotate.io.zip_limits import ZipTooLarge, refuse_large_members
from annotate.models import Annotation

pytestmark = pytest.mark.django_db

MB = 1 << 20


def zip_of(members: dict[str, int], *, chunk: int = MB) -> bytes:
    """A zip whose members are runs of zeros of the given sizes: they
    deflate a thousandfold, as a bomb does."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, size in members.items():
            with archive.open(name, "w") as member:
                for start in range(0, size, chunk):
                    member.write(b"0" * min(chunk, size - start))
    return out.getvalue()


def test_a_member_or_a_whole_over_the_limit_is_refused_by_name():
    archive = zipfile.ZipFile(io.BytesIO(zip_of({"a.xml": 10, "b.xml": 20})))
    refuse_large_members(archive, member_limit=20, total_limit=30)  # at the limits: fine
    with pytest.raises(ZipTooLarge, match="b.xml would unpack to 20 bytes, more than the limit of 19"):
        refuse_large_members(archive, member_limit=19)
    with pytest.raises(ZipTooLarge, match="the file would unpack to 30 bytes, more than the limit of 29"):
        refuse_large_members(archive, member_limit=20, total_limit=29)


def test_an_xlsx_bomb_is_refused_before_it_is_inflated(root):
    bomb = zip_of({"[Content_Types].xml": 100, "xl/worksheets/sheet1.xml": 300 * MB})
    assert len(bomb) < 1 * MB

    tracemalloc.start()
    try:
        report = import_annotation_file(bomb, "xlsx", user=root)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 50 * MB
    assert report.errors == [
        "cannot read the file as XLSX: the workbook is too large to read: xl/worksheets/sheet1.xml would unpack to "
        "314,572,800 bytes, more than the limit of 104,857,600 (XLSX_MAX_UNPACKED_BYTES)"
    ]
    assert not Annotation.objects.exists()


def test_a_project_archive_member_over_the_limit_is_refused_before_it_is_read(tmp_path, settings, db):
    settings.ARCHIVE_MAX_MEMBER_BYTES = 4 * MB
    path = tmp_path / "bomb.zip"
    path.write_bytes(zip_of({"manifest.json": 100, "annotate_article.jsonl": 5 * MB}))
    with pytest.raises(ArchiveError, match="annotate_article.jsonl would unpack to 5,242,880 bytes, more than"):
        project_import(path)


def test_an_oversized_manifest_is_refused(tmp_path, db):
    path = tmp_path / "bomb.zip"
    path.write_bytes(zip_of({"manifest.json": 2 * MB}))
    with pytest.raises(ArchiveError, match="manifest.json would unpack to 2,097,152 bytes; a manifest is at most"):
        project_import(path)

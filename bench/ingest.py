"""Article import of saved web pages: rows per second and peak memory.

Makes 1,000 saved pages from the five page fixtures (tests/io/fixtures/
pages/: CNN, WordPress, Next.js, Quintype and Blogger shapes around the
seed articles), each made a different article by one changed sentence,
and imports the folder through ``import_paths``, the way ``import_articles``
does: trafilatura's extraction, the outlet matched by domain, one
transaction. Baseline, in the same run: the same 1,000 articles as .txt
files (the text each page gives), imported the same way. Each import runs
in a fresh process on an empty SQLite database of its own, so peak memory
is the process's own high-water mark during the import (VmHWM, reset as
the import starts: lxml's C allocations included, which tracemalloc cannot
see), with its growth over the memory the process held before. Best of ``--runs`` runs each.

    .venv/bin/python bench/ingest.py [--pages 1000] [--runs 2]
"""

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import ROOT, print_table, setup_django

FIXTURES = ROOT / "tests" / "io" / "fixtures" / "pages"
# A sentence that each page's article body holds once: the copy number
# goes into it, so every page is an article of its own (the same text
# twice is refused as a duplicate).
MARKERS = {
    "cnn-xi-lukashenko.html": "Like China, Belarus has previously indicated",
    "wordpress-union-state-doctrine.html": "Belarus was a harder nut",
    "visiontimes-belarus-cozies-up.html": "The visit comes amid concerns in the West",
    "nationalherald-china-belarus-ties.html": "comes as both Beijing and Minsk face",
    "blogger-legion-of-doom.html": "Only restraint can avoid such a nightmare scenario.",
}


# The page's canonical address, in <meta property="og:url" content="...">
# with its attributes in either order.
CANONICAL = re.compile(
    rb"""<meta (?:property=["']og:url["'] content=["']([^"']+)|content=["']([^"']+)["'] property=["']og:url)"""
)


def canonical_url(page: bytes) -> bytes:
    found = CANONICAL.search(page)
    assert found, "a fixture page without og:url"
    return found.group(1) or found.group(2)


def make_files(folder: Path, pages: int) -> tuple[Path, Path, int]:
    """``pages`` saved pages under folder/html, and the same articles as
    .txt under folder/txt; returns the two folders and the pages' bytes."""
    from annotate.io.documents import read_document

    html_folder, text_folder = folder / "html", folder / "txt"
    html_folder.mkdir()
    text_folder.mkdir()
    sources = {name: (FIXTURES / name).read_bytes() for name in MARKERS}
    total = 0
    for number in range(pages):
        name = list(MARKERS)[number % len(MARKERS)]
        marker = MARKERS[name].encode()
        data = sources[name]
        assert data.count(marker) == 1, name
        data = data.replace(marker, marker[:-1] + f" (copy {number}){marker.decode()[-1]}".encode())
        # Each copy is its own article at its own address: with the page's
        # canonical URL, the copies would be new versions of one article.
        canonical = canonical_url(data)
        data = data.replace(canonical, canonical + f"?copy={number}".encode())
        stem = f"{number:04d}-{name.removesuffix('.html')}"
        (html_folder / f"{stem}.html").write_bytes(data)
        (text_folder / f"{stem}.txt").write_text(read_document(data, name=stem).text, encoding="utf-8")
        total += len(data)
    return html_folder, text_folder, total


def child(kind: str, folder: Path) -> None:
    """One import in this process; prints its figures as JSON."""
    if "DATABASE_URL" in os.environ:
        setup_django(f"ingest-{kind}")  # migrated by the parent, emptied here
    else:
        # A copy of the parent's migrated, empty database: migrating here
        # would set the process's high-water mark before the import starts.
        database = ROOT / "bench" / f"ingest-{kind}.sqlite3"
        shutil.copyfile(ROOT / "bench" / "ingest.sqlite3", database)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
    from annotate.io.articles_in import import_paths
    from annotate.models import Article, Source

    before = rss_kb("VmRSS")
    reset_peak()
    started = time.perf_counter()
    report = import_paths([folder])
    seconds = time.perf_counter() - started
    peak = rss_kb("VmHWM")
    figures = {
        "seconds": seconds,
        "created": len(report.created),
        "failed": report.failed[:3],
        "articles": Article.objects.count(),
        "sources": Source.objects.count(),
        "peak_kb": peak,
        "growth_kb": peak - before,
    }
    print(json.dumps(figures))


def rss_kb(field: str) -> int:
    """The process's resident memory (VmRSS) or its high-water mark
    (VmHWM), in kB: lxml's and libxml2's allocations included."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def reset_peak() -> None:
    """Start the high-water mark from now (Linux 4.0+): Django's start-up,
    with every module imported, would otherwise be the peak."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def measure(kind: str, folder: Path, runs: int) -> dict:
    best = None
    for _ in range(runs):
        # Each run starts from the parent's empty database (or empties it).
        done = subprocess.run(
            [sys.executable, __file__, "--child", kind, str(folder)], capture_output=True, text=True, check=True
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        if figures["failed"] or not figures["created"]:
            raise SystemExit(f"{kind} import failed: {figures['failed']}")
        if best is None or figures["seconds"] < best["seconds"]:
            best = figures
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    setup_django("ingest")
    with tempfile.TemporaryDirectory() as temporary:
        html_folder, text_folder, page_bytes = make_files(Path(temporary), args.pages)
        text_bytes = sum(path.stat().st_size for path in text_folder.iterdir())
        plain = measure("txt", text_folder, args.runs)
        pages = measure("html", html_folder, args.runs)
    rows = []
    for title, figures, size in (("plain text (.txt)", plain, text_bytes), ("saved pages (.html)", pages, page_bytes)):
        rows.append(
            [
                title,
                f"{figures['created']:,}",
                f"{size / 1e6:.1f} MB",
                f"{figures['seconds']:.2f} s",
                f"{figures['created'] / figures['seconds']:,.0f}",
                f"{figures['peak_kb'] / 1024:.0f} MB",
                f"{figures['growth_kb'] / 1024:.0f} MB",
                f"{figures['sources']}",
                f"{plain['seconds'] / figures['seconds']:.3f}",
            ]
        )
    print_table(
        f"Article import through import_paths, {args.pages:,} files, SQLite, best of {args.runs}",
        ["files", "articles", "on disk", "time", "rows/s", "peak RSS", "RSS growth", "outlets", "speed vs .txt"],
        rows,
    )
    ratio = pages["seconds"] / plain["seconds"]
    print(
        f"\nA saved page costs {ratio:.1f}× a plain-text article ({pages['seconds'] / args.pages * 1000:.1f} ms each)."
    )


if __name__ == "__main__":
    main()

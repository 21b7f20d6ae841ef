"""A whole project in one file: ``export_project`` writes every table
Sourcemark keeps into one archive, ``import_project`` restores it into an
empty database.

The archive is a zip. Each table is one JSON Lines member (one row per line,
ordered by primary key, ids as in the database it came from, so history rows
that name ids still line up after a restore), and ``manifest.json`` says what
the archive is: its format name and version, the app version and the
migration state it was written at, when, and each member's row count and
SHA-256. Rows are streamed in both directions, so memory stays flat however
large the project is.

Permissions and content types are not archived: ``migrate`` makes them, with
ids that differ between databases, so rows refer to them by natural key
(``[app_label, codename]``, ``[app_label, model]``).

``tables`` lists the archived tables and declares what is particular to
each (columns archived otherwise than as stored, many-to-many links, batch
checks, the rows ``migrate`` seeds); ``values`` converts single values
between JSON and Python; ``manifest`` writes and checks ``manifest.json``;
``export`` writes an archive and ``restore`` reads one back.
"""


class ArchiveError(Exception):
    """The archive cannot be restored (or written); the message says why."""

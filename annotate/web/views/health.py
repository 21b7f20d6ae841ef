"""The health check a load balancer or an orchestrator polls."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from annotate.web.middleware import is_database_busy

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 when the database answers a query and would take a write; 503
    when it does not answer ("unreachable"), or cannot write: another
    connection has held its write lock for longer than a write waits
    ("busy", SQLITE_BUSY_TIMEOUT), or it refuses writes ("cannot_write": a
    read-only file or a standby). It says nothing else about the
    deployment: the page is public."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: the database is unreachable")
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    try:
        _write_nothing()
    except DatabaseError as error:
        state = "busy" if is_database_busy(error) else "cannot_write"
        # A line, not a traceback: the cause is outside this process.
        logger.warning("health check: the database cannot take a write (%s: %s)", state, error)
        return JsonResponse({"status": "unavailable", "database": state}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _write_nothing() -> None:
    """Start a write and roll it back, changing nothing. An UPDATE that
    matches no row still needs what a real write needs: SQLite's write lock
    (which a read does not take, so SELECT 1 passes while another process
    holds it) and, on PostgreSQL, a server that accepts writes."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE django_migrations SET app = app WHERE id < 0")
        transaction.set_rollback(True)

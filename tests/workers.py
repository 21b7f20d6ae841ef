"""The real background worker, run the way production runs it: `manage.py
db_worker` in its own process, against the test database, in batch mode
(it runs every task that is ready, then exits), with a bounded time."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


# Runs each task as it is queued, in the test's own process and transaction.
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_database_url() -> str:
    """DATABASE_URL for the database this test run uses (its test copy)."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user = quote(config["USER"] or "", safe="")
    password = quote(config["PASSWORD"] or "", safe="")
    return f"postgres://{user}:{password}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{config['NAME']}"


def run_worker_batch(*, timeout: float = 60, allow_private: bool = True) -> subprocess.CompletedProcess:
    """Run `manage.py db_worker --batch` until the queue is empty; fails the
    test (CalledProcessError, TimeoutExpired) if the worker fails or hangs.
    The tasks' data must be committed: use a transactional test."""
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "ARTICLE_FETCH_ALLOW_PRIVATE": "1" if allow_private else "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    command = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--batch",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0",
    ]
    return subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=timeout)

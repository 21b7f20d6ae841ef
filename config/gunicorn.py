"""gunicorn's configuration for `make serve` (docs/deploy.md), read from the
environment like config/settings.py.

Workers are processes, each with its own database connection and its own
local-memory caches; the app keeps no other state, so any number of them (on
any number of machines) can serve one PostgreSQL database.
"""

import multiprocessing
import sys
from pathlib import Path

# gunicorn loads this file by path, so the project folder is not on sys.path
# yet; config.env is the one environment reader every setting goes through.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.env import env_int, env_str  # noqa: E402

# 2 × CPUs + 1 is gunicorn's advice for sync workers, which wait on the
# database as much as they compute; past a dozen, more processes only add
# memory and database connections on one machine.
MAX_DEFAULT_WORKERS = 12


def default_workers(cpus: int) -> int:
    return max(2, min(2 * cpus + 1, MAX_DEFAULT_WORKERS))


bind = env_str("GUNICORN_BIND") or f"{env_str('HOST', '127.0.0.1')}:{env_int('PORT', 8000)}"
workers = env_int("WEB_CONCURRENCY", default_workers(multiprocessing.cpu_count()))
# Threads per worker; above 1 gunicorn uses its threaded worker.
threads = env_int("GUNICORN_THREADS", 1)
# A request still running after this many seconds is killed with its worker
# (the longest real ones are big exports, which stream).
timeout = env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so a slow leak cannot grow without bound; the
# jitter keeps them from all restarting at once.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# The reverse proxy's address, whose X-Forwarded-* headers gunicorn believes.
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = env_str("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = env_str("LOG_LEVEL", "info").lower()
# Workers fork from a master that has not touched the database: every worker
# opens its own connection (psycopg connections must not cross a fork).
preload_app = False

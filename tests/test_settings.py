"""config/settings.py as production reads it: each check runs in a fresh
Python with DEBUG=0 in the environment, as `make serve` starts it."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

PROJECT = Path(__file__).resolve().parent.parent

READ_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_PROXY_SSL_HEADER": settings.SECURE_PROXY_SSL_HEADER,
    "STATICFILES": settings.STORAGES["staticfiles"]["BACKEND"],
    "PASSWORD_VALIDATORS": [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS],
    "AXES_FAILURE_LIMIT": settings.AXES_FAILURE_LIMIT,
    "AXES_COOLOFF_SECONDS": settings.AXES_COOLOFF_TIME.total_seconds(),
    "TRUSTED_PROXY_COUNT": settings.TRUSTED_PROXY_COUNT,
    "UPLOAD_MAX_SIZE": settings.UPLOAD_MAX_SIZE,
    "API_TOKEN_MAX_AGE_SECONDS": settings.API_TOKEN_MAX_AGE and settings.API_TOKEN_MAX_AGE.total_seconds(),
}))
"""


def production(**extra) -> dict:
    # Without what a developer may have set, and without the browser tests'
    # DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly refuses.
    unset = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    return (
        env
        | {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "sourcemark.example.org",
        }
        | extra
    )


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)


def production_settings(**extra) -> dict:
    result = run(["-c", READ_SETTINGS], production(**extra))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_debug_off_cookies_are_secure_and_hsts_is_on():
    assert production_settings() == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": None,
        "STATICFILES": "config.storage.StaticStorage",
        "PASSWORD_VALIDATORS": [
            "UserAttributeSimilarityValidator",
            "MinimumLengthValidator",
            "CommonPasswordValidator",
            "NumericPasswordValidator",
        ],
        "AXES_FAILURE_LIMIT": 5,
        "AXES_COOLOFF_SECONDS": 900.0,
        "TRUSTED_PROXY_COUNT": 0,
        "UPLOAD_MAX_SIZE": 25 * 1024 * 1024,
        "API_TOKEN_MAX_AGE_SECONDS": 30 * 24 * 3600.0,
    }


def test_behind_a_tls_proxy_the_forwarded_proto_and_one_proxy_are_trusted():
    found = production_settings(BEHIND_TLS_PROXY="1", AXES_FAILURE_LIMIT="3", AXES_COOLOFF_MINUTES="30")

    assert found["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert found["TRUSTED_PROXY_COUNT"] == 1
    assert (found["AXES_FAILURE_LIMIT"], found["AXES_COOLOFF_SECONDS"]) == (3, 1800.0)


def test_api_tokens_last_the_days_given_and_zero_means_for_ever():
    assert production_settings(API_TOKEN_MAX_AGE_DAYS="7")["API_TOKEN_MAX_AGE_SECONDS"] == 7 * 24 * 3600.0
    assert production_settings(API_TOKEN_MAX_AGE_DAYS="0")["API_TOKEN_MAX_AGE_SECONDS"] is None


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ("-1", "API_TOKEN_MAX_AGE_DAYS=-1 must be 0 (never expire) or more days"),
        ("a month", "API_TOKEN_MAX_AGE_DAYS='a month' is not a whole number"),
    ],
)
def test_settings_refuse_a_token_lifetime_they_cannot_read(value, complaint):
    result = run(["-c", READ_SETTINGS], production(API_TOKEN_MAX_AGE_DAYS=value))

    assert result.returncode != 0
    assert complaint in result.stderr


def test_settings_refuse_to_load_with_debug_off_and_no_secret_key():
    env = production()
    del env["SECRET_KEY"]

    result = run(["-c", READ_SETTINGS], env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_check_deploy_finds_nothing_to_fix():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production())

    assert result.returncode == 0, result.stdout + result.stderr
    # Only HSTS preload is silenced, on purpose (README: "Production configuration").
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_check_deploy_flags_insecure_cookies_if_someone_turns_them_off():
    """The check above can fail: it does when a protection is switched off."""
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production(SESSION_COOKIE_SECURE="0"))

    assert result.returncode != 0
    assert "security.W012" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("password", "complaint"),
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("83920174650", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused_by_the_validators(db, password, complaint):
    with pytest.raises(ValidationError) as error:
        validate_password(password)

    assert complaint in " ".join(error.value.messages)


def test_a_password_like_the_username_is_refused(alice):
    with pytest.raises(ValidationError, match="too similar to the username"):
        validate_password("alice1", user=alice)


READ_DATABASE_OPTIONS = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps(settings.DATABASES["default"]["OPTIONS"]))
"""


def sqlite_options(tmp_path, **extra) -> subprocess.CompletedProcess:
    return run(["-c", READ_DATABASE_OPTIONS], production(DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", **extra))


@pytest.mark.parametrize(("value", "seconds"), [(None, 5), ("2", 2)])
def test_the_sqlite_busy_timeout_comes_from_the_environment(tmp_path, value, seconds):
    result = sqlite_options(tmp_path, **({} if value is None else {"SQLITE_BUSY_TIMEOUT": value}))

    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout.strip().splitlines()[-1])
    assert options["timeout"] == seconds
    assert f"PRAGMA busy_timeout={seconds * 1000};" in options["init_command"]


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ("-1", "SQLITE_BUSY_TIMEOUT=-1 must be 0 or more seconds"),
        ("soon", "SQLITE_BUSY_TIMEOUT='soon' is not a whole number"),
    ],
)
def test_a_busy_timeout_that_is_not_a_wait_is_refused(tmp_path, value, complaint):
    result = sqlite_options(tmp_path, SQLITE_BUSY_TIMEOUT=value)

    assert result.returncode != 0
    assert complaint in result.stderr

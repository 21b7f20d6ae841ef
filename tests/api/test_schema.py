"""The API's own OpenAPI schema drives a property-based run (schemathesis):
for every operation, generated requests — valid and invalid — from an
anonymous visitor, a reviewer and a lead must never meet a server error,
and every response must match what the schema documents (status code,
content type, body)."""

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.conftest import assign, make_annotation, make_article

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def load_schema():
    """The schema /api/schema/ serves, generated the same way (no request:
    pytest-django forbids the database at collection time)."""
    from django.core.serializers.json import DjangoJSONEncoder
    from drf_spectacular.generators import SchemaGenerator

    spec = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(json.dumps(spec, cls=DjangoJSONEncoder)))


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Requests go straight into the WSGI app, not through Django's test
    client, so nothing stops request_finished from closing the connection
    that holds the test's transaction (the test client disconnects it too)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db, labels, alice, lena):
    """Some data for the generated requests to find (ids 1.. exist)."""
    article = make_article("Xi 😀 met Lukashenko in Minsk.", source="BelTA")
    make_article("Another article.", source="Reuters")
    assign(article, alice)
    make_annotation(article, labels["fact"], alice, quote="Minsk")
    make_annotation(article, labels["quote"], lena, quote="Xi", layer="consensus")
    return {
        "anonymous": None,
        "reviewer": Token.objects.create(user=alice).key,
        "lead": Token.objects.create(user=lena).key,
    }


schema = load_schema()
# Each operation gets this many generated requests per role (three roles);
# API_FUZZ_EXAMPLES=200 digs deeper on demand.
RUN = settings(
    max_examples=int(os.environ.get("API_FUZZ_EXAMPLES", 10)),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


def call_and_check(case, token):
    headers = {"Authorization": f"Token {token}"} if token else {}
    response = case.call(headers=headers, app=application)
    case.validate_response(response, checks=CHECKS, headers=headers)


@schema.parametrize()
@RUN
def test_anonymous_requests_conform(case, tokens):
    call_and_check(case, tokens["anonymous"])


@schema.parametrize()
@RUN
def test_reviewer_requests_conform(case, tokens):
    call_and_check(case, tokens["reviewer"])


@schema.parametrize()
@RUN
def test_lead_requests_conform(case, tokens):
    call_and_check(case, tokens["lead"])

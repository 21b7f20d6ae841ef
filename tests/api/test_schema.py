"""The API's own OpenAPI schema drives a property-based run (schemathesis):
for every operation, generated requests — valid and invalid — from the
anonymous visitor, a reviewer, a lead and an admin must never meet a
server error, and every response must match what the schema documents
(status code, content type, body). Then the same checks over stateful
workflows: chains of calls along the links schemathesis infers from the
schema (a span made by POST is read, changed and deleted by its id; an
assignment listed is submitted and reopened), as each role."""

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
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
def tokens(db, labels, alice, lena, root):
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
        "admin": Token.objects.create(user=root).key,
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


@schema.parametrize()
@RUN
def test_admin_requests_conform(case, tokens):
    call_and_check(case, tokens["admin"])


# Scenarios per role, each up to this many calls along the inferred links;
# API_FUZZ_SCENARIOS=100 digs deeper on demand.
STATEFUL = settings(
    max_examples=int(os.environ.get("API_FUZZ_SCENARIOS", 15)),
    stateful_step_count=6,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


@pytest.mark.parametrize("role", ["anonymous", "reviewer", "lead", "admin"])
def test_stateful_workflows_conform_for_every_role(tokens, role):
    headers = {"Authorization": f"Token {tokens[role]}"} if tokens[role] else {}

    class Workflow(schema.as_state_machine()):
        # Each scenario starts from the same database: hypothesis replays
        # choices by position, and a scenario that saw another's spans or
        # fetches offers other links, which it reports as a flaky strategy.
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case):
            return {"headers": headers, "app": application}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, headers=headers)

    Workflow.run(settings=STATEFUL)


def test_the_schema_gives_the_workflows_links_to_follow():
    """The stateful run is only as good as its links: the ones that carry
    a new span's id to reading, changing and deleting it, and an
    assignment's to submitting it."""
    links = set(vars(schema.as_state_machine()))
    assert {
        "POST_api_annotations___201_GetAnnotation__GET_api_annotations_id_",
        "POST_api_annotations___201_PatchAnnotation__PATCH_api_annotations_id_",
        "POST_api_annotations___201_DeleteAnnotation__DELETE_api_annotations_id_",
        "GET_api_assignments___200_PostAssignment_0__POST_api_assignments_id_submit_",
    } <= links

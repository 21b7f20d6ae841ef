"""The Table declarations of annotate/io/backup/tables.py: every model of
the archived apps is archived or made by ``migrate``, and what a table
declares about its columns and links names fields the model has."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from annotate.io.backup.manifest import ARCHIVED_APPS
from annotate.io.backup.restore import database_contents
from annotate.io.backup.tables import archive_tables
from annotate.models import AnnotationImportJob, Label

TABLES = archive_tables()


def test_every_model_of_the_archived_apps_has_a_table_or_is_made_by_migrate():
    archived = {table.model for table in TABLES}
    # Many-to-many links travel in their owners' rows.
    links = {table.model._meta.get_field(link.name).remote_field.through for table in TABLES for link in table.links}
    # Rows name these by natural key; migrate makes them with ids of its own.
    made_by_migrate = {Permission, ContentType}
    # Work in flight, as the task queue's own rows (not archived either): a
    # background import's file and result, not the project's data.
    in_flight = {AnnotationImportJob}
    models = {
        model
        for app_label in ARCHIVED_APPS
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True)
    }
    assert archived | links | made_by_migrate | in_flight == models
    assert len(archived) + len(links) + len(made_by_migrate) + len(in_flight) == len(models)


def test_no_table_is_archived_twice():
    assert len({table.name for table in TABLES}) == len(TABLES)


@pytest.mark.parametrize("table", TABLES, ids=[table.name for table in TABLES])
def test_a_tables_columns_and_links_name_fields_of_its_model(table):
    columns = {field.attname for field in table.model._meta.concrete_fields}
    assert set(table.columns) <= columns
    for link in table.links:
        assert table.model._meta.get_field(link.name).many_to_many
    # No two columns or links end up under one key of the archived row.
    keys = [table.key(attname) for attname in columns] + [link.name for link in table.links]
    assert len(set(keys)) == len(keys)


def test_only_the_tables_the_migrations_fill_have_a_seed():
    assert {table.model for table in TABLES if table.seed} == {Label, Group}


@pytest.mark.django_db
def test_edited_seeds_are_named_in_the_order_the_migrations_make_them():
    Label.objects.filter(slug="quote").update(colour="#ffffff")
    Group.objects.get(name="Lead").permissions.clear()
    assert database_contents() == [
        "labels other than the defaults (quote)",
        "groups other than the default roles (Lead)",
    ]

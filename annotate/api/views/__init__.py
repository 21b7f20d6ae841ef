"""API views: parse, ask annotate/permissions.py, call the same service
functions as the pages, answer. Each list reads a fixed number of queries
whatever its length (tests/api/test_views.py counts them)."""

"""Counting the SQL queries of a page, for the query-budget tests."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def warm_count(client, path):
    """Queries of one warm request to `path` (two requests first fill Wagtail's and our caches)."""
    client.get(path)
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)

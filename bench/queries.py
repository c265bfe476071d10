"""SQL queries per request, counted in-process with Django's test client against the bench database."""

from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

HOST = "127.0.0.1"


def make_client():
    # No exceptions out of views: a page that fails is reported with its status (500), not a traceback.
    return Client(HTTP_HOST=HOST, raise_request_exception=False)


def count_queries(path, *, client=None, using="default", headers=None):
    """Request `path` once to warm caches, then again while counting; return (status, queries of the second)."""
    client = client or make_client()
    client.get(path, headers=headers)
    with CaptureQueriesContext(connections[using]) as ctx:
        response = client.get(path, headers=headers)
    return response.status_code, len(ctx.captured_queries)

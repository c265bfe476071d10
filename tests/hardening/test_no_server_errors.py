"""No 500 on bad input (issue #18, point 7): every URL pattern with malformed path arguments and query strings,
and every JSON API operation from /api/openapi.json with malformed bodies, answer 4xx or a normal page.

On SQLite the sweeps send every malformed value. make test runs them again on PostgreSQL (tests/conftest.py,
ON_BOTH_DATABASES), where they send only the values the database can treat differently — integers beyond its
columns, NUL and odd text, huge numbers in JSON bodies (`for_the_database`) — over the same URL patterns and
operations: a wrong slug or a malformed date is refused before any query, the same way on both."""

import itertools
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.models import Page

from tests.support.demo import demo_database

pytestmark = pytest.mark.django_db

BIG = "99999999999999999999"  # beyond 64 bits
BAD_QUERIES = [
    f"page={BIG}",
    "page=-1",
    "page=0",
    "page=abc",
    "p=abc",
    f"p={BIG}",
    "offset=abc",
    f"offset={BIG}",
    "offset=-1",
    "limit=-1",
    f"limit={BIG}",
    "limit=abc",
    "page_size=-1",
    f"page_size={BIG}",
    "type=nope",
    "type=nope.Nope",
    "fields=title,bad_field",
    "fields=*,-id,_,(",
    "fields=-nope",
    "order=nope",
    "order=-nope",
    "q=%C4%B0",
    "q=%C4%B0%C4%B0%C4%B0%C4%B0%C4%B0%C4%B0%C4%B0%C4%B0",
    "search=%C4%B0",
    "q=%00",
    "year=abc",
    f"year={BIG}",
    "month=2026-13",
    "month=99999-01",
    f"id={BIG}",
    "county=abc",
    f"county={BIG}",
    "category=abc",
    "mark=abc",
    "sort=nope",
    "child_of=abc",
    f"child_of={BIG}",
    "descendant_of=abc",
    "lang=xx",
    "date=2026-02-30",
    "slot=abc",
    f"slot={BIG}",
]
# Values for path converters: each pattern is tried with every one.
BAD_ARGS = {
    "int": [BIG],
    "str": ["%C4%B0" + "x" * 200],
    "slug": ["nope"],
    "path": ["nope/%C4%B0"],
    "uuid": ["00000000-0000-0000-0000-000000000000"],
}
# Static files, and Wagtail's deliberate error page for testing the 500 page (/admin/failwhale/).
SKIP_PREFIXES = ("/static/", "/media/", "/admin/failwhale/")
LISTINGS = {"/search/", "/api/v2/pages/", "/api/v2/images/", "/api/v2/documents/", "/api/orders/", "/api/cart/"}


# What PostgreSQL refuses where SQLite stores it or raises OverflowError (cms/middleware.py): integers beyond 32 or
# 64 bits, floats beyond any column, NUL bytes, and text that grows when lower-cased (İ), in URLs and JSON.
DATABASE_VALUES = (BIG, str(2**31), "1e+308", "%00", "\\u0000", "%C4%B0", "\\u0130")


def for_the_database(requests):
    """All the requests on SQLite; on PostgreSQL those carrying a value the database can treat differently."""
    if connection.vendor == "sqlite":
        return list(requests)
    return [request for request in requests if any(value in request for value in DATABASE_VALUES)]


def converter_name(converter):
    return {
        "IntConverter": "int",
        "StringConverter": "str",
        "SlugConverter": "slug",
        "PathConverter": "path",
        "UUIDConverter": "uuid",
    }.get(type(converter).__name__, "str")


def walk(patterns, prefix=""):
    """(route with <name> placeholders, {name: converter kind}) for every URL pattern."""
    for entry in patterns:
        route = str(entry.pattern)
        converters = getattr(entry.pattern, "converters", {})
        if isinstance(entry, URLResolver):
            kinds = {name: converter_name(c) for name, c in converters.items()}
            for sub_route, sub_kinds in walk(entry.url_patterns, prefix + route):
                yield sub_route, {**kinds, **sub_kinds}
        elif isinstance(entry, URLPattern):
            yield prefix + route, {name: converter_name(c) for name, c in converters.items()}


def concrete_paths(route, kinds):
    """Malformed concrete paths for one route (regex routes get their groups replaced by a bad value)."""
    route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    regex_groups = re.findall(r"\(\?P<(\w+)>[^)]*\)", route)
    if regex_groups:
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)
        names = regex_groups
    route = re.sub(r"\(\?:[^)]*\)\??", "", route)
    if re.search(r"[()\[\]*+?|]", route):
        return []
    if not names:
        return ["/" + route.lstrip("/")]
    choices = [BAD_ARGS.get(kinds.get(name, "str"), BAD_ARGS["str"]) for name in names]
    paths = []
    for values in itertools.islice(itertools.product(*choices), 6):
        path = route
        for name, value in zip(names, values, strict=True):
            path = re.sub(rf"<(?:\w+:)?{name}>", value, path, count=1)
        paths.append("/" + path.lstrip("/"))
    return paths


def check(client, method, path, failures, **kwargs):
    response = getattr(client, method)(path, **kwargs)
    if response.status_code >= 500:
        failures.append(f"{method.upper()} {path} → {response.status_code}")
    return response


@pytest.fixture(scope="module")
def demo_loaded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for both tests (they only read it; each test's own changes are rolled back), once per
    run on SQLite (tests/support/demo.py)."""
    with demo_database(django_db_blocker, tmp_path_factory.mktemp("hardening-demo-media")) as demo:
        yield demo.output


@pytest.fixture
def demo(demo_loaded_once, db):
    return demo_loaded_once


def clients():
    anonymous = Client(raise_request_exception=False)
    staff = Client(raise_request_exception=False)
    staff.force_login(get_user_model().objects.get(username="admin"))
    buyer = Client(raise_request_exception=False)
    buyer.force_login(get_user_model().objects.get(username="canteen-prov-buyer"))
    return {"anonymous": anonymous, "staff": staff, "canteen buyer": buyer}


def test_every_url_pattern_with_malformed_arguments_and_queries(demo):
    failures = []
    routes = sorted({(route, tuple(sorted(kinds.items()))) for route, kinds in walk(get_resolver().url_patterns)})
    paths = set()
    for route, kinds in routes:
        for path in concrete_paths(route, dict(kinds)):
            if not path.startswith(SKIP_PREFIXES):
                paths.add(path)
    # Real pages (listings, search, fairs, vendors, products) with bad query strings.
    # One page of each type is enough: the views are per type.
    one_per_type = {}
    for page in Page.objects.live().specific().order_by("depth", "pk"):
        if page.url and type(page) not in one_per_type:
            one_per_type[type(page)] = page.url
    page_paths = set(one_per_type.values())
    print(len(paths), "paths,", len(page_paths), "pages")
    post_data = {"x": BIG, "product": BIG, "quantity": BIG}  # out of range, so every POST is sent on both databases
    listings = sorted(page_paths | LISTINGS)
    gets = set(for_the_database(paths))
    for who, client in clients().items():
        for path in sorted(paths):
            if path.startswith("/admin/") and who != "staff":
                continue
            if path in gets:
                check(client, "get", path, failures)
            if not path.startswith(("/admin/", "/django-admin/")):
                check(client, "post", path, failures, data=post_data)
        if who == "canteen buyer":
            continue
        for request in for_the_database(f"{path}?{query}" for path in listings for query in BAD_QUERIES):
            check(client, "get", request, failures)
    assert not failures, "\n".join(failures)


def malformed_values(schema, components, depth=0):
    """A few wrong or extreme values for one JSON schema."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return [v for sub in schema[key] for v in malformed_values(sub, components, depth)][:6]
    kind = schema.get("type")
    if kind == "integer":
        return [int(BIG), -1, 0, 2**31, "abc", 1.5]
    if kind == "number":
        return [1e308, -1, "abc"]
    if kind == "string":
        return ["", "İ" * 300, "\x00", "2026-02-30", 1]
    if kind == "boolean":
        return ["yes", 2]
    if kind == "array":
        items = malformed_values(schema.get("items", {}), components, depth + 1) if depth < 3 else [None]
        return [[], [items[0]], items, "x"]
    if kind == "object" or "properties" in schema:
        return [*objects(schema, components, depth + 1), [], "x", None]
    return [None, "x", int(BIG)]


def objects(schema, components, depth=0):
    """Objects with one property malformed at a time, the others left to a plausible value."""
    properties = schema.get("properties", {})
    if depth > 3:
        return [{}]
    plain = dict.fromkeys(properties, 1)
    for name, prop in properties.items():
        kind = prop.get("type")
        plain[name] = {"string": "x", "integer": 1, "array": [], "boolean": True}.get(kind)
    out = [{}]
    for name, prop in properties.items():
        for value in malformed_values(prop, components, depth):
            out.append({**plain, name: value})
    return out


def test_every_json_api_operation_with_malformed_input(demo):
    from cms.models import ApiToken

    failures = []
    schema = Client().get("/api/openapi.json").json()
    components = schema.get("components", {}).get("schemas", {})
    callers = {"anonymous": Client(raise_request_exception=False)}
    for username in ("admin", "canteen-prov-buyer"):
        _token, secret = ApiToken.issue(get_user_model().objects.get(username=username), "fuzz")
        callers[username] = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {secret}")
    for route, operations in schema["paths"].items():
        for method, operation in operations.items():
            params = [p for p in operation.get("parameters", []) if p.get("in") == "path"]
            paths = {route}
            for value in (BIG, "0", "%C4%B0", "nope"):
                path = route
                for param in params:
                    path = path.replace("{" + param["name"] + "}", value)
                paths.add(path)
            paths = sorted(p for p in paths if "{" not in p)
            query_params = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
            queries = [""] + [f"?{name}={value}" for name in query_params for value in (BIG, "-1", "abc", "%C4%B0")]
            requests = for_the_database(path + query for path in paths for query in queries)
            body_schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            bodies = ["not json", "[]", "{}", json.dumps({"x": int(BIG)})]
            if body_schema:
                bodies += [json.dumps(value) for value in malformed_values(body_schema, components)]
            # No body at all on SQLite only (it reaches no query).
            bodies = ([None] if connection.vendor == "sqlite" else []) + for_the_database(bodies)
            for client in callers.values():
                for request in requests:
                    check(client, method, request, failures)
                for path in paths:
                    if method in ("post", "put", "patch"):
                        for body in bodies:
                            kwargs = {"data": body, "content_type": "application/json"} if body is not None else {}
                            response = check(client, method, path, failures, **kwargs)
                            if response.status_code >= 400 and not response["Content-Type"].startswith(
                                "application/json"
                            ):
                                failures.append(f"{method.upper()} {path} → {response.status_code} not JSON")
    assert not failures, "\n".join(sorted(set(failures)))

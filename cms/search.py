"""Chinese-aware search terms for Wagtail's database search backend, and cheaper ranking on SQLite.

Chinese is written without spaces, so a full-text index sees "常山胡柚" as one word and a search
for "胡柚" finds nothing. We index every Chinese character and every pair of neighbouring
characters (unigrams and bigrams), plus the pinyin of those pairs ("huyou") and any Latin words,
and turn a query into the same units. "胡柚" then matches both 常山胡柚 and 胡柚膏, and "huyou" or
"tangelo" find them too. This works unchanged on SQLite (FTS5) and PostgreSQL (tsvector), with
the backend's ranking and field boosts (names weigh more than descriptions).

On SQLite, Wagtail's backend orders by relevance with a correlated subquery that runs the full-text
match once per matching row (O(matches²): 0.12 s for 胡柚 at 10,000 products). `_RankedSQLiteCompiler`
gives the same order (score, then newest pk) from two flat queries instead — the matches with their
scores, and which of them the queryset admits — and then loads only the requested slice by id.
"""

import contextlib
import contextvars
import functools
import hashlib
import re

from django.core.cache import cache
from pypinyin import lazy_pinyin

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[0-9A-Za-z]+")


def _cjk_units(run):
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def search_terms_for(*texts, with_pinyin=True):
    """Index text: CJK unigrams and bigrams, their pinyin, and Latin words, space-separated."""
    terms = []
    for text in texts:
        if not text:
            continue
        for run in _CJK_RUN.findall(text):
            terms.extend(run)  # single characters, so a one-character query still matches
            bigrams = _cjk_units(run) if len(run) > 1 else []
            terms.extend(bigrams)
            if with_pinyin:
                syllables = lazy_pinyin(run)
                terms.append("".join(syllables))
                terms.extend(syllables[i] + syllables[i + 1] for i in range(len(syllables) - 1))
        terms.extend(word.lower() for word in _LATIN_WORD.findall(text))
    return " ".join(dict.fromkeys(terms))


def query_terms_for(query):
    """Turn what a person typed into the units `search_terms_for` indexed: bigrams for Chinese runs."""
    terms = []
    for chunk in (query or "").split():
        position = 0
        for match in _CJK_RUN.finditer(chunk):
            terms.extend(word.lower() for word in _LATIN_WORD.findall(chunk[position : match.start()]))
            terms.extend(_cjk_units(match.group()))
            position = match.end()
        terms.extend(word.lower() for word in _LATIN_WORD.findall(chunk[position:]))
    return " ".join(dict.fromkeys(terms))


def any_word_query(query):
    """A query matching what has all the units of any one word: "胡柚 礼盒" → 胡柚 or 礼盒, for when no page
    has every word. None for a one-word query (its units must all match)."""
    from wagtail.search.query import Or, PlainText

    words = [query_terms_for(word) for word in (query or "").split()]
    words = [w for w in dict.fromkeys(words) if w]
    if len(words) < 2:
        return None
    return Or([PlainText(word, operator="and") for word in words])


MAX_RANKED_SLICE = 500
INTEGER_FIELD_TYPES = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"}


def _has_integer_pk(model):
    field = model._meta.pk
    while field.remote_field is not None:  # a page's pk is its page_ptr
        field = field.target_field
    return field.get_internal_type() in INTEGER_FIELD_TYPES


def _sqlite_ranking_classes():
    """Compiler and results classes for SQLite that rank without the per-row score subquery."""
    from django.db.models import Case, IntegerField, Value, When
    from modelsearch.backends.database.sqlite import sqlite as base
    from modelsearch.query import MatchAll, Not

    class RankedSQLiteCompiler(base.SQLiteSearchQueryCompiler):
        counting = False

        def ranked_slice(self, config, start, stop, score_field=None):
            """The ids of results start:stop in order, from the two flat queries; None where this ranking does not
            apply (the vendor's own query then runs)."""
            normalized = base.normalize(self.query)
            if (
                self.counting
                or not self.order_by_relevance
                or score_field is not None
                or isinstance(normalized, (MatchAll, Not))
                or not _has_integer_pk(self.queryset.model)
            ):
                return None
            # The same match and score expressions as the vendor's compiler (see its `search`).
            match = base.MatchExpression(self.fields or self.FTS_TABLE_FIELDS, self.build_search_query(normalized))
            index_query = (
                base.SQLiteFTSIndexEntry.objects.filter(match)
                .filter(index_entry__content_type__in=base.get_descendants_content_types_pks(self.queryset.model))
                .annotate(score=self._build_rank_expression(self.get_search_vectors(), config))
            )
            to_python = self.queryset.model._meta.pk.to_python
            scores = {}
            for object_id, score in index_query.values_list("index_entry__object_id", "score"):
                scores.setdefault(to_python(object_id), score)
            admitted = self.queryset.filter(pk__in=index_query.values_list("index_entry__object_id", flat=True))
            ranked = sorted((scores[pk], -pk) for pk in admitted.order_by().values_list("pk", flat=True))
            ids = [-negative_pk for _score, negative_pk in ranked][start:stop]
            return None if len(ids) > MAX_RANKED_SLICE else ids  # a CASE that long costs more than it saves

        def search(self, config, start, stop, score_field=None):
            ids = self.ranked_slice(config, start, stop, score_field)
            if ids is None:
                return super().search(config, start, stop, score_field=score_field)
            if not ids:
                return self.queryset.none()
            position = Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)), output_field=IntegerField())
            return self.queryset.filter(pk__in=ids).order_by(position)

    class RankedSQLiteResults(base.SQLiteSearchResults):
        def ranked_ids(self):
            """The ids of this slice of the results, best first (see `result_ids`)."""
            compiler = self.query_compiler
            ids = compiler.ranked_slice(compiler.get_config(self.backend), self.start, self.stop, self._score_field)
            return ids if ids is not None else list(self.get_queryset().values_list("pk", flat=True))

        def _do_count(self):
            # Counting needs no ranking: the vendor's single COUNT over the matches.
            self.query_compiler.counting = True
            try:
                return super()._do_count()
            finally:
                self.query_compiler.counting = False

    return base.SQLiteSearchBackend, RankedSQLiteCompiler, RankedSQLiteResults


# PostgreSQL: how many matches are ranked at most (see _postgres_ranking_classes).
SEARCH_CANDIDATES = 200
# The RUM indexes of cms/migrations/0010_search_rum_indexes.py, made only where the extension is installed.
RUM_INDEXES = ("cms_search_names_rum", "cms_search_vector_rum")
# `cms_newest <=| LARGEST` is the distance down from the largest id: ordering by it walks the newest first. RUM
# computes distances as float8, exact for integers below 2**53 only: cms_newest holds ids of up to 15 digits.
LARGEST_OBJECT_ID = 10**15
_rum_ready = {}


def rum_indexes_ready(alias):
    """Whether the database behind `alias` has the RUM indexes (asked once per database and process)."""
    from django.db import connections

    connection = connections[alias]
    key = (alias, connection.settings_dict["NAME"])
    if key not in _rum_ready:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL", RUM_INDEXES)
            _rum_ready[key] = cursor.fetchone()[0]
    return _rum_ready[key]


def rum_candidates(entries, content_types, search_query, limit):
    """The ids of the newest `limit` entries whose names match and, when fewer names match, of the newest `limit`
    that match at all, as a subquery: each is a RUM index scan in `cms_newest` order that stops after `limit`
    rows, so it costs the same however many entries match. Sorted names first, then newest, the first `limit` of
    these are the first `limit` of all matches in that order."""
    from django.db.models.expressions import RawSQL

    query = entries.query
    compiler = query.get_compiler(using=entries.db)
    tsquery_sql, tsquery_params = compiler.compile(search_query.resolve_expression(query))
    table, types = entries.model._meta.db_table, ", ".join(["%s"] * len(content_types))
    half = (
        f"(SELECT id FROM {table} WHERE content_type_id IN ({types}) AND {{vector}} @@ {tsquery_sql}"
        f" ORDER BY cms_newest <=| %s LIMIT %s)"
    )
    params = [*content_types, *tsquery_params, LARGEST_OBJECT_ID, limit]
    # The second scan only runs when fewer than `limit` names match (a one-time filter: skipped, not started).
    sql = (
        f"SELECT id FROM (WITH names AS MATERIALIZED {half.format(vector='cms_names')}"
        f" SELECT id FROM names UNION ALL SELECT id FROM {half.format(vector='cms_vector')} AS any_match"
        f" WHERE (SELECT count(*) FROM names) < %s) AS candidates"
    )
    return RawSQL(sql, [*params, *params, limit])


# The tsvector weights of names: `search_terms` (boost 10) is weight A, `name_en` (boost 5) weight B.
NAME_WEIGHTS = "{a,b}"


# How long a ranking (the admitted ids, best first) is kept, at most: its key carries the page cache's versions,
# so any publish, unpublish, move, view restriction or taxonomy change makes new keys at once.
RANKING_CACHE_SECONDS = 60


# Set (by `rank_afresh`) while a search must not read kept rankings: the bench's cold-search row (bench/README.md).
_afresh = contextvars.ContextVar("search_rank_afresh", default=False)


@contextlib.contextmanager
def rank_afresh():
    """Inside: rankings are computed as for a query nobody asked (not read from the cache; still stored)."""
    token = _afresh.set(True)
    try:
        yield
    finally:
        _afresh.reset(token)


def admitted_query(queryset):
    """(sql, params) of the primary keys `queryset` admits, or None when it cannot be put into SQL (it then admits
    nothing): compiled once per ranking, for its cache key and for the ranking query itself."""
    from django.core.exceptions import EmptyResultSet

    try:
        return queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return None


def ranking_cache_key(queryset, search_query, config, admitted=None):
    """The cache key of a ranking: the filtered queryset's SQL (`admitted`, if the caller has it), the search's
    tsquery, the candidate bound and the page cache's versions. None when the queryset cannot be put into SQL."""
    from cms import page_cache

    admitted = admitted or admitted_query(queryset)
    if admitted is None:
        return None
    sql, params = admitted
    compiler = queryset.query.get_compiler(using=queryset.db)
    tsquery = compiler.compile(search_query.resolve_expression(queryset.query))
    parts = (queryset.db, sql, params, tsquery, config, SEARCH_CANDIDATES, page_cache.versions())
    return "cms:search:ranked:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _postgres_ranking_classes():
    """Compiler and results classes for PostgreSQL that rank a bounded set of candidates, not every match.

    Wagtail's query joins every matching index entry, wide, to its page and computes the rank of each (≈ 530
    rows for 胡柚 at 10,000 products, ≈ 5,000 at 100,000) before it can return the first page. Here, in narrow
    queries of ids and scores:

    1. candidates: the matching index entries whose *name* matches first (names outrank descriptions anyway),
       newest first, at most SEARCH_CANDIDATES — no rank, no join, only ids — and, in the same query, their
       scores with Wagtail's own rank expression (same weights, title norm, order: score, then newest). With the
       RUM indexes (`rum_candidates`) the candidates are read off the index newest first, stopping at the bound;
       without them every match is fetched from the GIN index and sorted;
    2. which of them the queryset admits (live, public, approved vendor, audience, filters), in the same query;
    3. only the requested slice is loaded, by id, in that order.

    Steps 1 and 2 are kept in the cache (`RANKING_CACHE_SECONDS`, under the page cache's versions).

    So a search costs about the same at any catalogue size. Up to SEARCH_CANDIDATES matches the results and the
    count are exactly Wagtail's; beyond, they are the best of the candidates, and the count (`count()`) counts the
    admitted candidates, so it is at most SEARCH_CANDIDATES: `results.capped` then says that there were more.
    """
    from django.db.models import (
        BigIntegerField,
        BooleanField,
        Case,
        Expression,
        F,
        IntegerField,
        Value,
        When,
    )
    from django.db.models.expressions import RawSQL
    from django.db.models.functions import Cast
    from modelsearch.backends.database.postgres import postgres as base
    from modelsearch.query import Fuzzy, MatchAll, Not
    from modelsearch.utils import get_descendants_content_types_pks

    class NameMatch(Expression):
        """`ts_filter(body, '{a,b}') @@ query`: the query matches the entry's name units."""

        output_field = BooleanField()

        def __init__(self, query):
            super().__init__()
            self.query = query

        def get_source_expressions(self):
            return [self.query]

        def set_source_expressions(self, exprs):
            (self.query,) = exprs

        def as_sql(self, compiler, connection):
            vector_sql, vector_params = compiler.compile(F("body").resolve_expression(compiler.query))
            query_sql, query_params = compiler.compile(self.query)
            return f"(ts_filter({vector_sql}, %s) @@ {query_sql})", [*vector_params, NAME_WEIGHTS, *query_params]

    class BoundedPostgresCompiler(base.PostgresSearchQueryCompiler):
        def bounded(self, score_field=None):
            return (
                self.order_by_relevance
                and score_field is None
                and self.fields is None
                and not isinstance(self.query, (MatchAll, Not, Fuzzy))
                and _has_integer_pk(self.queryset.model)
            )

        def ranked(self, config):
            """(admitted ids best first, whether more matches than candidates exist); computed once."""
            if "_ranked" in self.__dict__ and self._ranked_for == config:
                return self._ranked
            search_query = self.build_tsquery(self.query, config=config)
            admitted = admitted_query(self.queryset)
            key = ranking_cache_key(self.queryset, search_query, config, admitted)
            found = cache.get(key) if key and not _afresh.get() else None
            if found is None:
                found = self.rank(config, search_query, admitted)
                if key:
                    cache.set(key, found, RANKING_CACHE_SECONDS)
            self._ranked_for, self._ranked = config, found
            return found

        def rank(self, config, search_query, admitted_sql=None):
            model = self.queryset.model
            content_types = list(get_descendants_content_types_pks(model))
            entries = base.IndexEntry.objects.using(self.queryset.db).filter(content_type_id__in=content_types)
            by_name, newest = NameMatch(search_query), Cast("object_id", BigIntegerField())
            if rum_indexes_ready(self.queryset.db):
                candidates = rum_candidates(entries, content_types, search_query, SEARCH_CANDIDATES + 1)
            else:
                # Without RUM: every match is fetched and sorted (a GIN index finds them in no order).
                candidates = (
                    entries.annotate(_vector_=F("title")._combine(F("body"), "||", False))
                    .filter(_vector_=search_query)
                    .annotate(_by_name=by_name, _object=newest)
                    .order_by("-_by_name", "-_object")
                    .values("pk")[: SEARCH_CANDIDATES + 1]
                )
            # One round trip: the candidates (a LIMIT subquery) with their scores, computed for them only, and
            # whether the queryset admits each (an EXISTS per candidate, by primary key).
            rank = self._build_rank_expression([(F("title"), F("title_norm")), (F("body"), 1.0)], config)
            # The queryset's SQL as compiled for the cache key, not compiled again (PostgreSQL pulls the subquery up
            # and looks each candidate up by primary key).
            if admitted_sql is None:
                admitted = Value(False)
            else:
                sql, params = admitted_sql
                entry = f'("{base.IndexEntry._meta.db_table}"."object_id")::bigint'
                admitted = RawSQL(
                    f"EXISTS (SELECT 1 FROM ({sql}) AS admitted (pk) WHERE admitted.pk = {entry})",
                    params,
                    output_field=BooleanField(),
                )
            rows = sorted(
                base.IndexEntry.objects.using(self.queryset.db)
                .filter(pk__in=candidates)
                .annotate(_by_name=by_name, _object=newest, _score=rank, _admitted=admitted)
                .values_list("_object", "_by_name", "_score", "_admitted"),
                key=lambda row: (not row[1], -row[0]),
            )
            more = len(rows) > SEARCH_CANDIDATES
            ranked = sorted((-score, -pk) for pk, _by_name, score, ok in rows[:SEARCH_CANDIDATES] if ok)
            return [-pk for _score, pk in ranked], more

        def search(self, config, start, stop, score_field=None, backend=None):
            if not self.bounded(score_field):
                return super().search(config, start, stop, score_field=score_field, backend=backend)
            ids = self.ranked(config)[0][start:stop]
            if not ids:
                return self.queryset.none()
            position = Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)), output_field=IntegerField())
            return self.queryset.filter(pk__in=ids).order_by(position)

    class BoundedPostgresResults(base.PostgresSearchResults):
        def _bounded(self):
            # Autocomplete (the admin's page search) shares these results with its own, unbounded compiler.
            bounded = getattr(self.query_compiler, "bounded", None)
            return bounded is not None and bounded(self._score_field)

        def _do_search(self):
            # Nothing ranked: no query at all (an empty queryset still builds its whole SELECT with every join).
            compiler = self.query_compiler
            if self._bounded():
                ids = compiler.ranked(compiler.get_config(self.backend))[0][self.start : self.stop]
                if not ids:
                    return []
            return super()._do_search()

        def _do_count(self):
            compiler = self.query_compiler
            if not self._bounded():
                return super()._do_count()
            return len(compiler.ranked(compiler.get_config(self.backend))[0])

        def ranked_ids(self):
            """The ids of this slice of the results, best first, without loading their rows (see `result_ids`)."""
            if not self._bounded():
                return [obj.pk for obj in self]
            compiler = self.query_compiler
            return compiler.ranked(compiler.get_config(self.backend))[0][self.start : self.stop]

        @property
        def capped(self):
            """True when more matches exist than were ranked and counted (see SEARCH_CANDIDATES)."""
            compiler = self.query_compiler
            return self._bounded() and compiler.ranked(compiler.get_config(self.backend))[1]

    return base.PostgresSearchBackend, BoundedPostgresCompiler, BoundedPostgresResults


def result_ids(results):
    """The primary keys of (a slice of) search results, best first: on PostgreSQL from the ranking alone, no rows
    loaded; elsewhere from the rows. For callers that load what they show themselves, in as few columns as it needs."""
    ranked_ids = getattr(results, "ranked_ids", None)
    return ranked_ids() if ranked_ids is not None else [obj.pk for obj in results]


@functools.cache
def _chinese_backend_class(base_class):
    attrs = {}
    # The SQLite module can only be imported where its FTS model exists (on SQLite databases).
    if base_class.__module__.startswith("modelsearch.backends.database.sqlite"):
        sqlite_backend, compiler_class, results_class = _sqlite_ranking_classes()
        if issubclass(base_class, sqlite_backend):
            attrs = {"query_compiler_class": compiler_class, "results_class": results_class}
    elif base_class.__module__.startswith("modelsearch.backends.database.postgres"):
        postgres_backend, compiler_class, results_class = _postgres_ranking_classes()
        if issubclass(base_class, postgres_backend):
            attrs = {"query_compiler_class": compiler_class, "results_class": results_class}

    class ChineseSearchBackend(base_class):
        """The vendor's database backend, with queries turned into the indexed units first."""

        def search(self, query, model_or_queryset, fields=None, operator=None, order_by_relevance=True):
            if isinstance(query, str):
                query = query_terms_for(query)
                # Every unit must match: "常山胡柚" means 常山 and 山胡 and 胡柚, not any of them.
                operator = operator or "and"
            return super().search(query, model_or_queryset, fields, operator, order_by_relevance)

        def autocomplete(self, query, model_or_queryset, fields=None, operator=None, order_by_relevance=True):
            if isinstance(query, str) and _CJK_RUN.search(query):
                return self.search(query, model_or_queryset, None, operator, order_by_relevance)
            return super().autocomplete(query, model_or_queryset, fields, operator, order_by_relevance)

    for name, value in attrs.items():
        setattr(ChineseSearchBackend, name, value)
    ChineseSearchBackend.__name__ = f"Chinese{base_class.__name__}"
    return ChineseSearchBackend


def SearchBackend(params):  # noqa: N802 - Wagtail looks a backend module's factory up by this name
    """Wagtail's database backend for the current database, made Chinese-aware (see module docstring)."""
    from wagtail.search.backends.database import SearchBackend as database_backend

    base = database_backend(params)
    return _chinese_backend_class(type(base))(params)

"""A hot query compiled once per process: its SQL and how its rows become model instances, run with new values.

Compiling a queryset (joins, `select_related` columns, annotations) costs about as much CPU as running it, and on
the order's hot path (the API token, the ordered products) it was the same SQL every time with other values.

    token_query = PreparedQuery(ApiToken.objects.select_related("user").filter(key_hash=SLOT), SLOT)
    tokens = token_query("abc…")          # [ApiToken], its user loaded, as list(queryset) would give

The queryset is built once with example values (`slots`) that stand for the values of each call; every slot must
appear exactly once among the compiled parameters (checked here), so only plain values that the database takes as
they are (ints, strings) can be slots. Rows become instances exactly as Django's ModelIterable makes them
(`from_db`, select_related populators, annotations, the database converters), without the per-call compiling.
Thread-safe: nothing is changed after construction; each call uses the calling thread's connection.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models.query import get_related_populators


class PreparedQuery:
    def __init__(self, queryset, *slots, sql_prefix="", prefix_slots=()):
        """`sql_prefix` (with its own `%s` values, `prefix_slots`) goes before the compiled SELECT: a `WITH …`
        clause (e.g. a data-modifying CTE on PostgreSQL)."""
        self.db = queryset.db
        compiler = queryset.query.get_compiler(using=self.db)
        sql, params = compiler.as_sql()
        self.sql = sql_prefix + sql
        self.params = [*prefix_slots, *params]
        self.positions = []
        for slot in (*prefix_slots, *slots):
            hits = [i for i, value in enumerate(self.params) if type(value) is type(slot) and value == slot]
            if len(hits) != 1:
                raise ImproperlyConfigured(f"slot {slot!r} is {len(hits)} times among the parameters of {self.sql}")
            self.positions.append(hits[0])
        # What ModelIterable works out after running the query, worked out once.
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.model_columns = slice(fields[0], fields[-1] + 1)
        self.init_list = [column[0].target.attname for column in select[self.model_columns]]
        self.populators = get_related_populators(klass_info, select, self.db)
        self.annotations = list(compiler.annotation_col_map.items())
        self.converters = list(compiler.get_converters([column[0] for column in select[: compiler.col_count]]).items())

    def __call__(self, *values):
        """The instances the queryset would give with `values` in place of the slots (prefix slots first)."""
        if len(values) != len(self.positions):
            raise TypeError(f"{len(self.positions)} values expected, got {len(values)}")
        params = list(self.params)
        for position, value in zip(self.positions, values, strict=True):
            params[position] = value
        connection = connections[self.db]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        return [self._instance(row, connection) for row in rows]

    def _instance(self, row, connection):
        if self.converters:
            row = list(row)
            for position, (converters, expression) in self.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
        instance = self.model.from_db(self.db, self.init_list, row[self.model_columns])
        for populator in self.populators:
            populator.populate(row, instance)
        for name, position in self.annotations:
            setattr(instance, name, row[position])
        return instance

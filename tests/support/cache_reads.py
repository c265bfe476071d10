"""Counting the default cache's reads the way Redis sees them: one per round trip."""

from django.core.cache import caches


def record_cache_reads(monkeypatch):
    """(method, key or keys) of every read of the default cache from now on, in order. A get_many that the
    local-memory cache answers with its own gets counts once, as its one round trip with Redis would."""
    calls, default, inside = [], caches["default"], []
    for name in ("get", "get_many"):
        original = getattr(default, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            if not inside:
                calls.append((_name, args[0]))
            inside.append(_name)
            try:
                return _original(*args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(default, name, counted)
    return calls

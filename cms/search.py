"""Chinese-aware search terms for Wagtail's database search backend.

Chinese is written without spaces, so a full-text index sees "常山胡柚" as one word and a search
for "胡柚" finds nothing. We index every Chinese character and every pair of neighbouring
characters (unigrams and bigrams), plus the pinyin of those pairs ("huyou") and any Latin words,
and turn a query into the same units. "胡柚" then matches both 常山胡柚 and 胡柚膏, and "huyou" or
"tangelo" find them too. This works unchanged on SQLite (FTS5) and PostgreSQL (tsvector), with
the backend's ranking and field boosts (names weigh more than descriptions).
"""

import functools
import re

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


@functools.cache
def _chinese_backend_class(base_class):
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

    ChineseSearchBackend.__name__ = f"Chinese{base_class.__name__}"
    return ChineseSearchBackend


def SearchBackend(params):  # noqa: N802 - Wagtail looks a backend module's factory up by this name
    """Wagtail's database backend for the current database, made Chinese-aware (see module docstring)."""
    from wagtail.search.backends.database import SearchBackend as database_backend

    base = database_backend(params)
    return _chinese_backend_class(type(base))(params)

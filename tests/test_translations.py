"""The zh_Hans catalogues: complete, not fuzzy, placeholders intact, .mo compiled from the current .po.

msgids are English; `make messages` extracts new strings (needs gettext), a person translates them in the .po,
and `make messages` compiles the .mo that is committed with it. These tests need no gettext.
"""

from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.support.translations import placeholders

APPS = ["cms", "marketplace", "events"]
REQUIRED_APPS = {"cms", "marketplace"}  # events has catalogue entries only once it has strings
CATALOGUES = {
    app: settings.BASE_DIR / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    for app in APPS
    if (settings.BASE_DIR / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").exists()
}


def live_entries(po):
    return [entry for entry in po if not entry.obsolete]


def entry_id(entry):
    return entry.msgid if not entry.msgctxt else f"{entry.msgctxt}\x04{entry.msgid}"


@pytest.fixture(params=sorted(CATALOGUES), scope="module")
def catalogue(request):
    path = CATALOGUES[request.param]
    return request.param, path, polib.pofile(str(path))


def test_every_app_with_strings_has_a_catalogue():
    assert set(CATALOGUES) >= REQUIRED_APPS, f"missing catalogues: {REQUIRED_APPS - set(CATALOGUES)}"


def test_header(catalogue):
    app, _path, po = catalogue
    assert po.metadata.get("Language") == "zh_Hans", app
    assert "charset=UTF-8" in po.metadata.get("Content-Type", ""), app
    assert po.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;", app
    assert not po.metadata_is_fuzzy, f"{app}: the header is marked fuzzy"


def test_no_untranslated_entries(catalogue):
    app, _path, po = catalogue
    untranslated = []
    for entry in live_entries(po):
        if entry.msgid_plural:
            # Chinese has one plural form: exactly msgstr[0], filled in.
            if set(entry.msgstr_plural) != {0} or not entry.msgstr_plural[0].strip():
                untranslated.append(entry.msgid)
        elif not entry.msgstr.strip():
            untranslated.append(entry.msgid)
    assert not untranslated, f"{app}: {len(untranslated)} untranslated: {untranslated}"


def test_no_fuzzy_entries(catalogue):
    app, _path, po = catalogue
    fuzzy = [entry.msgid for entry in live_entries(po) if "fuzzy" in entry.flags]
    assert not fuzzy, f"{app}: check these translations, then remove '#, fuzzy': {fuzzy}"


def test_placeholders_match(catalogue):
    app, _path, po = catalogue
    wrong = []
    for entry in live_entries(po):
        if entry.msgid_plural:
            # The only Chinese form stands for the plural one, which carries every placeholder.
            pairs = [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translation in pairs:
            if translation and placeholders(source) != placeholders(translation):
                wrong.append((source, translation))
    assert not wrong, f"{app}: placeholders differ: {wrong}"


def test_mo_is_compiled_from_the_current_po(catalogue):
    app, path, po = catalogue
    mo_path = Path(path).with_suffix(".mo")
    assert mo_path.exists(), f"{app}: run `make messages` to compile {mo_path}"
    mo = polib.mofile(str(mo_path))

    def mapping(entries):
        result = {}
        for entry in entries:
            if not entry.msgid or entry.obsolete or "fuzzy" in entry.flags:
                continue
            if entry.msgid_plural:
                result[entry_id(entry)] = tuple(entry.msgstr_plural[key] for key in sorted(entry.msgstr_plural))
            elif entry.msgstr:
                result[entry_id(entry)] = entry.msgstr
        return result

    assert mapping(mo) == mapping(po), f"{app}: {mo_path.name} is out of date, run `make messages`"


def test_same_msgid_has_the_same_translation_in_every_app():
    """Django merges the catalogues into one; for a shared msgid the first app (cms) silently wins."""
    seen = {}
    clashes = []
    for app, path in sorted(CATALOGUES.items()):
        for entry in live_entries(polib.pofile(str(path))):
            value = entry.msgstr or entry.msgstr_plural.get(0, "")
            key = entry_id(entry)
            if key in seen and seen[key][1] != value:
                clashes.append((entry.msgid, seen[key], (app, value)))
            seen.setdefault(key, (app, value))
    assert not clashes, clashes


def test_placeholder_parser():
    assert placeholders("%(n)s %(unit)s or more") == {"named": ["n", "unit"], "positional": [], "brace": []}
    assert placeholders("%s of %d, 100%%") == {"named": [], "positional": ["%s", "%d"], "brace": []}
    assert placeholders("{name} and {0:>3}") == {"named": [], "positional": [], "brace": ["{0:>3}", "{name}"]}


# The catalogues at work: the same 404 page in Chinese at /… and in English at /en/….


@pytest.mark.django_db
def test_chinese_404_page_is_translated(client, home_page):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    content = response.content.decode()
    assert '<html lang="zh-Hans">' in content
    assert "<h1>页面未找到</h1>" in content
    assert ">返回首页</a>" in content
    assert ">跳到正文</a>" in content
    assert "Page not found" not in content
    assert "Skip to content" not in content


@pytest.mark.django_db
def test_english_404_page_stays_english(client, home_page):
    response = client.get("/en/no-such-page/")

    assert response.status_code == 404
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "<h1>Page not found</h1>" in content
    assert ">Go to the home page</a>" in content
    assert ">Skip to content</a>" in content
    assert "页面未找到" not in content


@pytest.mark.django_db
def test_home_page_ui_strings_follow_the_language(client, home_page):
    chinese = client.get("/").content.decode()
    english = client.get("/en/").content.decode()

    assert ">跳到正文</a>" in chinese and ">Skip to content</a>" not in chinese
    assert ">Skip to content</a>" in english and ">跳到正文</a>" not in english

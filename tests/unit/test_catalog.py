"""Every catalog message, rendered in both languages with sample values.

Fails on a key missing in either language, a placeholder left unfilled, a placeholder
one language has and the other lacks, and an identifier-looking word (snake_case, a
raw catalog key, an argument's code name) in what users would read.
"""

from __future__ import annotations

import re
import string
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from commands import COMMAND_MODULES
from commands.errors import UsageError
from commands.i18n import LANGUAGES, Catalog, default_catalog, format_date, format_datetime
from commands.registry import Registry

CATALOG = default_catalog()
KEYS = CATALOG.keys()
BERLIN = ZoneInfo("Europe/Berlin")
SNAKE = re.compile(r"(?<![\w/.=:-])[a-z]+(?:_[a-z0-9]+)+\b")
RAW_KEY = re.compile(r"\b(?:" + "|".join({k.split(".")[0] for k in KEYS}) + r")\.[a-z_]+\b")
# Code names of command arguments, as a German text must never show them ("phase",
# "text", "name" are German words too).
ARG_NAMES = {
    arg.name for spec in Registry.from_modules(COMMAND_MODULES).commands for arg in spec.args
} - {"phase", "text", "name"}
CODE_NAMES = re.compile(r"\b(?:" + "|".join(sorted(ARG_NAMES)) + r")\b")


def fields(text: str) -> dict[str, str]:
    """Placeholder name -> format spec of one text."""
    found: dict[str, str] = {}
    for _literal, name, spec, _conv in string.Formatter().parse(text):
        if name is not None:
            found[name.split(".")[0].split("[")[0]] = spec or ""
    return found


def sample(name: str, spec: str, number: int) -> object:
    """A value that fits how the placeholder is formatted."""
    if spec.startswith("plural:") or spec in ("d", "n") or spec.endswith("d"):
        return number
    if spec in ("date", "datetime", "time", "weekday") or "%" in spec:
        return datetime(2027, 2, 15, 16, 0, tzinfo=BERLIN)
    if spec == "list":
        return ["Musikschule Am Rhein", "OGS Süd"]
    if spec:  # any other spec, e.g. a width: numbers take them all
        return number
    return f"Wert{number}"


def render_all(key: str, lang: str, number: int) -> str:
    text = CATALOG.raw(key, lang)
    assert text is not None, f"{key} has no '{lang}' text"
    params = {name: sample(name, spec, number) for name, spec in fields(text).items()}
    return CATALOG.get(key, lang, **params) if params else text


def test_the_catalog_is_not_empty() -> None:
    assert len(KEYS) > 300


@pytest.mark.parametrize("key", KEYS)
def test_every_message_renders_in_both_languages(key: str) -> None:
    texts = {lang: CATALOG.raw(key, lang) for lang in LANGUAGES}
    missing = [lang for lang, text in texts.items() if not text]
    assert not missing, f"{key}: no text in {missing}"
    names = {lang: set(fields(text or "")) for lang, text in texts.items()}
    assert names["de"] == names["en"], f"{key}: placeholders differ {names}"
    for lang in LANGUAGES:
        for number in (1, 2, 0):
            out = render_all(key, lang, number)
            assert "{" not in out and "}" not in out, f"{key} [{lang}]: unfilled: {out}"
            patterns = (SNAKE, RAW_KEY, CODE_NAMES) if lang == "de" else (SNAKE, RAW_KEY)
            for pattern in patterns:
                found = pattern.search(out)
                assert found is None, f"{key} [{lang}]: identifier {found[0]!r} in: {out}"


def test_the_checks_see_what_they_must() -> None:
    bad = Catalog(
        {
            "x.a": {"de": "Da fehlt noch etwas: meeting_id.", "en": "Missing: meeting_id."},
            "x.b": {"de": "{n} Personen", "en": "{n} people"},
        }
    )
    assert SNAKE.search(bad.get("x.a", "de"))
    assert bad.get("x.b", "de") == "{n} Personen"  # unfilled without params
    assert RAW_KEY.search("siehe core.help_title")
    assert CODE_NAMES.search("„abc“ passt nicht als meeting_id.")


@pytest.mark.parametrize(
    ("count", "de", "en"),
    [(1, "1 Person aus 1 Kommune", "1 person from 1 municipality"),
     (2, "2 Personen aus 2 Kommunen", "2 people from 2 municipalities")],
)  # fmt: skip
def test_plural_forms_come_from_cldr(count: int, de: str, en: str) -> None:
    catalog = Catalog(
        {
            "x.p": {
                "de": "{n:plural:one=# Person|other=# Personen} aus "
                "{k:plural:one=# Kommune|other=# Kommunen}",
                "en": "{n:plural:one=# person|other=# people} from "
                "{k:plural:one=# municipality|other=# municipalities}",
            }
        }
    )
    assert catalog.get("x.p", "de", n=count, k=count) == de
    assert catalog.get("x.p", "en", n=count, k=count) == en


def test_one_date_format_per_language() -> None:
    when = datetime(2026, 12, 1, 16, 0, tzinfo=BERLIN)
    assert format_date(when, "de") == "Di., 01.12.2026"
    assert format_date(date(2026, 12, 15), "de") == "Di., 15.12.2026"
    assert format_date(date(2026, 12, 15), "en") == "Tue, 15 Dec 2026"
    assert format_datetime(when, "en") == "Tue, 1 Dec 2026, 16:00"
    assert format_datetime(when, "de") == "Di., 01.12.2026, 16:00 Uhr"


REGISTRY = Registry.from_modules(COMMAND_MODULES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_argument_has_a_label_in_words(lang: str) -> None:
    for spec in REGISTRY.commands:
        for arg in spec.args:
            label = spec.arg_label(arg.name, lang)
            assert label != "…", f"!{spec.name}: {arg.name} has no word in the usage"
            assert arg.name not in label.replace("-", " ").split() or arg.name in (
                "phase", "text", "name", "topic", "title"
            ), f"!{spec.name}: label {label!r}"  # fmt: skip


@pytest.mark.parametrize(
    ("body", "lang", "expected"),
    [
        ("!termin abc", "de", "„abc“ passt nicht als <termin-nr>."),
        ("!event abc", "en", "“abc” doesn't work as <event-no>."),
        ("!termin neu", "de", "Da fehlt noch etwas: <datum> <uhrzeit> <titel>."),
        ("!termin verschieben 3", "de", "Da fehlt noch etwas: <datum> <uhrzeit>."),
        ("!cluster interesse", "de", "Da fehlt noch etwas: <thema>."),
        ("!checkliste", "de", "Da fehlt noch etwas: <phase>."),
        ("!kooperation feld", "de", "Da fehlt noch etwas: <name> <wert>."),
    ],
)
def test_usage_errors_name_arguments_in_words(body: str, lang: str, expected: str) -> None:
    parsed = REGISTRY.parse(body)
    assert parsed is not None
    with pytest.raises(UsageError) as caught:
        REGISTRY.bind(parsed.spec, parsed.raw_args, lang)
    assert CATALOG.get(caught.value.key, lang, **caught.value.params) == expected


def test_every_key_the_code_names_is_in_the_catalog() -> None:
    """Literal keys in the source ("meetings.moved_series") exist in both languages."""
    root = Path(__file__).resolve().parents[2]
    groups = "|".join(sorted({k.split(".")[0] for k in KEYS}))
    # a whole key in quotes; "matching.term_" + … (a built key) ends in "_" and is skipped
    literal = re.compile(rf"""["']((?:{groups})\.[a-z][a-z0-9_]*[a-z0-9])["']""")
    missing, seen = [], 0
    for package in ("commands", "bot"):
        for path in sorted((root / package).rglob("*.py")):
            for key in literal.findall(path.read_text(encoding="utf-8")):
                seen += 1
                if CATALOG.languages_of(key) != set(LANGUAGES):
                    missing.append(f"{path.relative_to(root)}: {key}")
    assert seen > 200  # the scan sees the keys
    assert not missing, "\n".join(missing)

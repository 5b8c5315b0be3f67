"""Message catalog: every user-facing string, in German and English.

Strings live in ``commands/locales/<group>.yaml`` so that each command group owns its
own file. A file maps keys to ``{de: ..., en: ...}``; the key seen by code is
``<group>.<key>`` (file stem + key). Placeholders use ``str.format`` syntax, with a few
format specs that hand grammar and dates to Babel (CLDR data), never to hand-made rules:

    {n:plural:one=# Person|other=# Personen}   CLDR plural category of ``n``; ``#`` is
                                               ``n`` as a number in the language
    {when:date}        "Mo., 15.02.2027" / "Mon, 15 Feb 2027" (date or datetime)
    {when:datetime}    "Mo., 15.02.2027, 16:00 Uhr" / "Mon, 15 Feb 2027, 16:00"
    {when:time}        "16:00"
    {when:weekday}     "Montag" / "Monday"
    {names:list}       "A, B und C" / "A, B and C" (any iterable of strings)

Why Babel and not gettext catalogs: the texts are already keyed YAML files owned by each
command group (a translator edits both languages side by side); what was missing is the
grammar (CLDR plural rules, locale date and list formats), which Babel gives directly.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale
from babel import dates as babel_dates
from babel.lists import format_list
from babel.numbers import format_decimal

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
_LOCALES_DIR = Path(__file__).parent / "locales"
# libyaml's loader when available (as content/loader.py): the catalog parses in ~0.07 s
# instead of ~0.75 s with the pure-Python one, same result; this is cold-start time
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# English is written for a network in Germany: day first ("Mon, 15 Feb 2027").
BABEL_LOCALES = {"de": "de_DE", "en": "en_GB"}


def babel_locale(lang: str) -> Locale:
    return _locale(BABEL_LOCALES.get(lang, BABEL_LOCALES[DEFAULT_LANGUAGE]))


@lru_cache(maxsize=8)
def _locale(name: str) -> Locale:
    return Locale.parse(name)


def format_date(value: date | datetime, lang: str = DEFAULT_LANGUAGE) -> str:
    """A day with its weekday: "Mo., 15.02.2027" / "Mon, 15 Feb 2027"."""
    locale = babel_locale(lang)
    day = value.date() if isinstance(value, datetime) else value
    return f"{babel_dates.format_date(day, 'EEE', locale=locale)}, " + babel_dates.format_date(
        day, "medium", locale=locale
    )


def format_time(value: datetime | time, lang: str = DEFAULT_LANGUAGE) -> str:
    """A time of day: "16:00" (German adds " Uhr" in ``format_datetime``)."""
    return babel_dates.format_time(value, "HH:mm", locale=babel_locale(lang))


def format_datetime(value: datetime, lang: str = DEFAULT_LANGUAGE) -> str:
    """ "Mo., 15.02.2027, 16:00 Uhr" / "Mon, 15 Feb 2027, 16:00" (in ``value``'s zone)."""
    text = f"{format_date(value, lang)}, {format_time(value, lang)}"
    return text + " Uhr" if lang != "en" else text


def format_number(value: float, lang: str = DEFAULT_LANGUAGE) -> str:
    return format_decimal(value, locale=babel_locale(lang))


def plural_category(value: float, lang: str = DEFAULT_LANGUAGE) -> str:
    """CLDR plural category ("one", "other", …) of a number in a language."""
    return str(babel_locale(lang).plural_form(value))


def join_list(items: Iterable[str], lang: str = DEFAULT_LANGUAGE) -> str:
    values = [str(item) for item in items]
    return format_list(values, locale=babel_locale(lang)) if values else ""


class _Formatter(string.Formatter):
    """``str.format`` with the grammar specs of this module (see its docstring)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        lang = self.lang
        if format_spec.startswith("plural:"):
            forms = dict(
                part.split("=", 1) for part in format_spec[len("plural:") :].split("|") if part
            )
            category = plural_category(value, lang)
            chosen = forms.get(category, forms.get("other", ""))
            return chosen.replace("#", format_number(value, lang))
        if format_spec == "date":
            return format_date(value, lang)
        if format_spec == "datetime":
            return format_datetime(value, lang)
        if format_spec == "time":
            return format_time(value, lang)
        if format_spec == "weekday":
            return babel_dates.format_date(value, "EEEE", locale=babel_locale(lang))
        if format_spec == "list":
            return join_list(value, lang)
        return super().format_field(value, format_spec)


@lru_cache(maxsize=4)
def _formatter(lang: str) -> _Formatter:
    return _Formatter(lang)


def render(text: str, lang: str, params: Mapping[str, object]) -> str:
    """One catalog text with its placeholders filled in ``lang``."""
    return _formatter(lang).vformat(text, (), dict(params))


class Catalog:
    """Looks up translated strings; falls back to German, then to the key itself."""

    def __init__(self, messages: Mapping[str, Mapping[str, str]]) -> None:
        self._messages = dict(messages)

    @classmethod
    def load(cls, directory: Path = _LOCALES_DIR) -> Catalog:
        messages: dict[str, dict[str, str]] = {}
        for path in sorted(directory.glob("*.yaml")):
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
            if not isinstance(data, dict):
                raise ValueError(f"{path}: expected a mapping of keys")
            for key, texts in data.items():
                if not isinstance(texts, dict) or DEFAULT_LANGUAGE not in texts:
                    raise ValueError(f"{path}: {key} needs at least a 'de' text")
                messages[f"{path.stem}.{key}"] = {lang: str(t) for lang, t in texts.items()}
        return cls(messages)

    def has(self, key: str) -> bool:
        return key in self._messages

    def keys(self) -> list[str]:
        return sorted(self._messages)

    def languages_of(self, key: str) -> set[str]:
        return set(self._messages.get(key, {}))

    def raw(self, key: str, lang: str) -> str | None:
        """The unfilled text of one language (None when that language lacks it)."""
        return self._messages.get(key, {}).get(lang)

    def get(self, key: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
        texts = self._messages.get(key)
        if texts is None:
            return key
        text = texts.get(lang) or texts[DEFAULT_LANGUAGE]
        return render(text, lang, params) if params else text


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The shipped catalog, loaded once per process (it is read-only data)."""
    return Catalog.load()

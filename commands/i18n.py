"""Message catalog: every user-facing string, in German and English.

Strings live in ``commands/locales/<group>.yaml`` so that each command group owns its
own file. A file maps keys to ``{de: ..., en: ...}``; the key seen by code is
``<group>.<key>`` (file stem + key). Placeholders use ``str.format`` syntax.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import yaml

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
_LOCALES_DIR = Path(__file__).parent / "locales"


class Catalog:
    """Looks up translated strings; falls back to German, then to the key itself."""

    def __init__(self, messages: Mapping[str, Mapping[str, str]]) -> None:
        self._messages = dict(messages)

    @classmethod
    def load(cls, directory: Path = _LOCALES_DIR) -> Catalog:
        messages: dict[str, dict[str, str]] = {}
        for path in sorted(directory.glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
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

    def get(self, key: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
        texts = self._messages.get(key)
        if texts is None:
            return key
        text = texts.get(lang) or texts[DEFAULT_LANGUAGE]
        return text.format(**params) if params else text


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The shipped catalog, loaded once per process (it is read-only data)."""
    return Catalog.load()

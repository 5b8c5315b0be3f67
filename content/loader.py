"""Load the shipped content and a network's own directories into one ``ContentSet``.

Why collect instead of raise: ``koopbot content check`` wants every problem at once,
while the bot wants to refuse bad content at start; both use ``collect_content`` and
``load_content`` turns its errors into one ``ContentError``.

Directory layout (shipped ``content/data`` and every extra dir alike)::

    DIR/synonyms.yaml        optional: {groups: [[canonical, synonym, ...], ...]}
    DIR/asked.yaml           optional: {asked: {faq-id: [question as a member asked it, ...]}}
    DIR/de/*.yaml            German entries: any of phases, agreement, topics, faq
    DIR/en/*.yaml            English translations, matched by id/key/number

A later directory overrides earlier entries with the same id, language by language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from content.contentset import ContentSet
from content.models import (
    LANGS,
    PRIMARY_LANG,
    AgreementElement,
    ChecklistItem,
    FaqEntry,
    Phase,
    RawAgreementElement,
    RawAsked,
    RawFaq,
    RawFile,
    RawPhase,
    RawSources,
    RawSynonyms,
    RawTopic,
    Topic,
)
from content.normalize import normalize

SHIPPED_DIR = Path(__file__).parent / "data"
# libyaml's loader when available: 5-10x faster on the shipped files.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ContentError(Exception):
    """Curated content is invalid; the message reads ``file: entry: problem``."""


@dataclass
class Problem:
    """One finding of loading or checking, located by file and entry."""

    file: str
    entry: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.message}"


@dataclass
class _Layer:
    """Raw entries of one language, keyed by id; later directories overwrite."""

    phases: dict[int, tuple[RawPhase, str]] = field(default_factory=dict)
    agreement: dict[str, tuple[RawAgreementElement, str]] = field(default_factory=dict)
    topics: dict[str, tuple[RawTopic, str]] = field(default_factory=dict)
    faq: dict[str, tuple[RawFaq, str]] = field(default_factory=dict)


@dataclass
class Collected:
    """Result of reading directories: the merged content plus everything noticed."""

    content: ContentSet
    errors: list[Problem]
    warnings: list[Problem]


def _read_yaml(path: Path, errors: list[Problem]) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_YAML_LOADER) or {}
    except (OSError, yaml.YAMLError) as exc:
        errors.append(Problem(str(path), "-", f"cannot read YAML: {exc}".replace("\n", " ")))
        return None


def read_yaml_file(path: Path) -> Any:
    """A YAML file parsed as the content's own files are (libyaml where installed), or
    None when it is missing or unreadable: for optional data files that degrade quietly."""
    return _read_yaml(path, [])


def _validation_problems(path: Path, exc: ValidationError, data: Any) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = err.get("loc", ())
        entry = "-"
        if len(loc) >= 2 and isinstance(loc[1], int):
            try:
                item = data[loc[0]][loc[1]]
                entry = str(item.get("id") or item.get("key") or item.get("number") or loc[1])
            except (KeyError, IndexError, TypeError, AttributeError):
                entry = f"{loc[0]}[{loc[1]}]"
        where = ".".join(str(p) for p in loc[2:]) or ".".join(str(p) for p in loc)
        out.append(Problem(str(path), entry, f"{where}: {err.get('msg', 'invalid')}"))
    return out


_Model = TypeVar("_Model", bound=BaseModel)


def _read_model(path: Path, model: type[_Model], errors: list[Problem]) -> _Model | None:
    """An optional top-level file of a content directory, validated; None when it is
    absent or broken (then the problem is in ``errors``)."""
    if not path.exists():
        return None
    data = _read_yaml(path, errors)
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors.extend(_validation_problems(path, exc, data))
        return None


def _read_dir(
    directory: Path,
    layers: dict[str, _Layer],
    synonyms: list[list[str]],
    errors: list[Problem],
    warnings: list[Problem],
    titles: dict[str, dict[str, str]] | None = None,
    asked: list[tuple[str, list[str], str]] | None = None,
) -> None:
    if not directory.is_dir():
        errors.append(Problem(str(directory), "-", "content directory does not exist"))
        return
    sources = _read_model(directory / "sources.yaml", RawSources, errors)
    if titles is not None and sources is not None:
        titles.update(sources.sources)
    syn_path = directory / "synonyms.yaml"
    raw_syn = _read_model(syn_path, RawSynonyms, errors)
    for group in raw_syn.groups if raw_syn is not None else []:
        words = [normalize(w) for w in group if normalize(w)]
        if len(words) < 2:
            warnings.append(Problem(str(syn_path), str(group), "group needs 2 words"))
        else:
            synonyms.append(words)
    asked_path = directory / "asked.yaml"
    raw_asked = _read_model(asked_path, RawAsked, errors)
    if asked is not None and raw_asked is not None:
        asked.extend((ident, qs, str(asked_path)) for ident, qs in raw_asked.asked.items())
    for lang in LANGS:
        seen_here: dict[tuple[str, str], str] = {}
        for path in sorted((directory / lang).glob("*.y*ml")):
            data = _read_yaml(path, errors)
            if data is None:
                continue
            try:
                raw = RawFile.model_validate(data)
            except ValidationError as exc:
                errors.extend(_validation_problems(path, exc, data))
                continue
            layer = layers[lang]
            name = path.name
            entries: list[tuple[str, str, Any, dict[Any, Any]]] = [
                *(("phase", str(p.number), p, layer.phases) for p in raw.phases),
                *(("agreement", a.key, a, layer.agreement) for a in raw.agreement),
                *(("topic", t.key, t, layer.topics) for t in raw.topics),
                *(("faq", f.id, f, layer.faq) for f in raw.faq),
            ]
            for kind, ident, obj, target in entries:
                if (kind, ident) in seen_here:
                    errors.append(
                        Problem(
                            str(path),
                            ident,
                            f"duplicate {kind} id (also in {seen_here[kind, ident]})",
                        )
                    )
                    continue
                seen_here[kind, ident] = name
                key = obj.number if kind == "phase" else ident
                target[key] = (obj, str(path))


def _source(de_src: str | None, other: str | None) -> str:
    return de_src or other or ""


def _merge(
    layers: dict[str, _Layer], errors: list[Problem], warnings: list[Problem]
) -> tuple[list[Phase], list[AgreementElement], list[Topic], list[FaqEntry]]:
    de = layers[PRIMARY_LANG]
    others = [lang for lang in LANGS if lang != PRIMARY_LANG]

    def orphans(kind: str, attr: str) -> None:
        for lang in others:
            for key, (_obj, path) in getattr(layers[lang], attr).items():
                if key not in getattr(de, attr):
                    errors.append(
                        Problem(path, str(key), f"{kind} has no German ({PRIMARY_LANG}) entry")
                    )

    def missing(kind: str, path: str, ident: str, lang: str) -> None:
        warnings.append(Problem(path, ident, f"missing translation ({lang}) of {kind}"))

    for kind, attr in (
        ("phase", "phases"),
        ("agreement", "agreement"),
        ("topic", "topics"),
        ("faq", "faq"),
    ):
        orphans(kind, attr)

    phases: list[Phase] = []
    for number, (raw, path) in sorted(de.phases.items()):
        phase = Phase(number=number, source=raw.source or "", aliases=list(raw.aliases))
        phase.titles[PRIMARY_LANG] = raw.title
        phase.summaries[PRIMARY_LANG] = raw.summary
        items = {
            it.id: ChecklistItem(
                id=it.id,
                texts={PRIMARY_LANG: it.text},
                hints={PRIMARY_LANG: it.hint},
                source=phase.source,
            )
            for it in raw.items
        }
        for lang in others:
            tr = layers[lang].phases.get(number)
            if tr is None:
                missing("phase", path, str(number), lang)
                continue
            tr_raw, tr_path = tr
            phase.titles[lang] = tr_raw.title
            phase.summaries[lang] = tr_raw.summary
            phase.aliases.extend(tr_raw.aliases)
            for it in tr_raw.items:
                if it.id not in items:
                    errors.append(Problem(tr_path, it.id, "checklist item has no German entry"))
                    continue
                items[it.id].texts[lang] = it.text
                items[it.id].hints[lang] = it.hint
            for item_id, item in items.items():
                if lang not in item.texts:
                    missing("checklist item", tr_path, item_id, lang)
        phase.items = list(items.values())
        if not phase.source:
            errors.append(Problem(path, str(number), "phase has no source"))
        phases.append(phase)

    agreement: list[AgreementElement] = []
    for key, (raw_a, path) in de.agreement.items():
        titles, guidances = _two_texts(
            raw_a,
            {lang: layers[lang].agreement.get(key) for lang in others},
            ("title", "guidance"),
            partial(missing, "agreement element", path, key),
        )
        elem = AgreementElement(key, titles, guidances, source=raw_a.source or "")
        if not elem.source:
            errors.append(Problem(path, key, "agreement element has no source"))
        agreement.append(elem)

    topics: list[Topic] = []
    for key, (raw_t, path) in de.topics.items():
        titles, descriptions = _two_texts(
            raw_t,
            {lang: layers[lang].topics.get(key) for lang in others},
            ("title", "description"),
            partial(missing, "topic", path, key),
        )
        topic = Topic(key, titles, descriptions, source=raw_t.source or "")
        if not topic.source:
            errors.append(Problem(path, key, "topic has no source"))
        topics.append(topic)

    faq: list[FaqEntry] = []
    for ident, (raw_f, path) in de.faq.items():
        entry = FaqEntry(
            id=ident,
            related=list(raw_f.related),
            phase=raw_f.phase,
            source=raw_f.source or "",
            facts=list(raw_f.facts),
        )
        entry.titles[PRIMARY_LANG] = raw_f.title
        entry.answers[PRIMARY_LANG] = raw_f.answer
        entry.phrasings[PRIMARY_LANG] = list(raw_f.questions)
        entry.keywords_by_lang[PRIMARY_LANG] = list(raw_f.keywords)
        for lang in others:
            tr_f = layers[lang].faq.get(ident)
            if tr_f is None:
                missing("faq entry", path, ident, lang)
                continue
            tr_faq = tr_f[0]
            entry.titles[lang] = tr_faq.title
            entry.answers[lang] = tr_faq.answer
            entry.phrasings[lang] = list(tr_faq.questions)
            entry.keywords_by_lang[lang] = list(tr_faq.keywords)
            entry.source = _source(entry.source, tr_faq.source)
        if not entry.source:
            errors.append(Problem(path, ident, "faq entry has no source"))
        if not raw_f.questions:
            warnings.append(Problem(path, ident, "faq entry has no question phrasings"))
        faq.append(entry)
    return phases, agreement, topics, faq


def collect_content(extra_dirs: Sequence[Path] = (), *, include_shipped: bool = True) -> Collected:
    """Read and merge directories, collecting every error and warning."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    layers = {lang: _Layer() for lang in LANGS}
    synonyms: list[list[str]] = []
    titles: dict[str, dict[str, str]] = {}
    asked: list[tuple[str, list[str], str]] = []
    dirs = [SHIPPED_DIR, *extra_dirs] if include_shipped else list(extra_dirs)
    for directory in dirs:
        _read_dir(Path(directory), layers, synonyms, errors, warnings, titles, asked)
    phases, agreement, topics, faq = _merge(layers, errors, warnings)
    _attach_asked(faq, asked, errors)
    cs = ContentSet(
        phases=phases,
        agreement_elements=agreement,
        topics=topics,
        faq=faq,
        synonyms=synonyms,
        source_titles=titles,
    )
    _check_references(cs, errors, layers)
    return Collected(content=cs, errors=errors, warnings=warnings)


def _attach_asked(
    faq: list[FaqEntry], asked: list[tuple[str, list[str], str]], errors: list[Problem]
) -> None:
    """File the asked questions under their entries; an unknown id is an error (a renamed
    entry must not silently lose what members asked)."""
    by_id = {e.id: e for e in faq}
    for ident, questions, path in asked:
        entry = by_id.get(ident)
        if entry is None:
            errors.append(Problem(path, ident, "asked: no faq entry with this id"))
            continue
        seen = set(entry.asked)
        for question in questions:
            if question and question not in seen:
                entry.asked.append(question)
                seen.add(question)


def _check_references(cs: ContentSet, errors: list[Problem], layers: dict[str, _Layer]) -> None:
    faq_ids = {e.id for e in cs.faq}
    numbers = {p.number for p in cs.phases}
    for entry in cs.faq:
        path = layers[PRIMARY_LANG].faq[entry.id][1]
        for rel in entry.related:
            if rel == entry.id:
                errors.append(Problem(path, entry.id, "related refers to itself"))
            elif rel not in faq_ids:
                errors.append(Problem(path, entry.id, f"related id {rel!r} does not exist"))
        if entry.phase is not None and entry.phase not in numbers:
            errors.append(Problem(path, entry.id, f"phase {entry.phase} does not exist"))


def load_content(extra_dirs: Sequence[Path] = ()) -> ContentSet:
    """Shipped content plus a network's directories; raises ``ContentError`` on any error."""
    collected = collect_content(extra_dirs)
    if collected.errors:
        raise ContentError("\n".join(str(p) for p in collected.errors))
    return collected.content


def _two_texts(
    base: Any,
    translations: dict[str, Any],
    fields: tuple[str, str],
    report_missing: Callable[[str], None],
) -> tuple[dict[str, str], dict[str, str]]:
    """Two per-language text maps of one entry: German from ``base``, the other
    languages from ``translations`` ((raw, path) pairs); a gap is reported."""
    first = {PRIMARY_LANG: getattr(base, fields[0])}
    second = {PRIMARY_LANG: getattr(base, fields[1])}
    for lang, found in translations.items():
        if found is None:
            report_missing(lang)
            continue
        first[lang] = getattr(found[0], fields[0])
        second[lang] = getattr(found[0], fields[1])
    return first, second

"""Curated content: data files (de/, en/), models, loader, search index and checks.

Imports nothing of the project (bot, commands, storage). Exceptions: ``ContentError``
(invalid content at load time).
"""

from content.check import CheckReport, check_content
from content.contentset import ContentSet
from content.loader import ContentError, load_content
from content.models import AgreementElement, ChecklistItem, FaqEntry, Phase, Topic
from content.normalize import normalize
from content.search import AnswerResult, ContentIndex, detect_lang

__all__ = [
    "AgreementElement",
    "AnswerResult",
    "CheckReport",
    "ChecklistItem",
    "ContentError",
    "ContentIndex",
    "ContentSet",
    "FaqEntry",
    "Phase",
    "Topic",
    "check_content",
    "detect_lang",
    "load_content",
    "normalize",
]

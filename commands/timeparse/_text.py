"""Shared vocabulary: text normalisation, weekday and month names, number words."""

from __future__ import annotations

import re
import unicodedata

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_SPACES = re.compile(r"\s+")

# Weekday words (already umlaut-normalised) -> Monday=0 ... Sunday=6.
WEEKDAYS: dict[str, int] = {
    "montag": 0, "mo": 0, "monday": 0, "mon": 0,
    "dienstag": 1, "di": 1, "tuesday": 1, "tue": 1, "tues": 1,
    "mittwoch": 2, "mi": 2, "wednesday": 2, "wed": 2,
    "donnerstag": 3, "do": 3, "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "freitag": 4, "fr": 4, "friday": 4, "fri": 4,
    "samstag": 5, "sonnabend": 5, "sa": 5, "saturday": 5, "sat": 5,
    "sonntag": 6, "so": 6, "sunday": 6, "sun": 6,
}  # fmt: skip

# Month words (umlaut-normalised) -> 1..12.
MONTHS: dict[str, int] = {
    "januar": 1, "jaenner": 1, "january": 1, "jan": 1,
    "februar": 2, "february": 2, "feb": 2,
    "maerz": 3, "march": 3, "maer": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "dezember": 12, "december": 12, "dez": 12, "dec": 12,
}  # fmt: skip

# Small cardinal numbers as words, German and English.
NUMBER_WORDS: dict[str, int] = {
    "ein": 1, "eine": 1, "einen": 1, "einem": 1, "one": 1,
    "zwei": 2, "two": 2, "drei": 3, "three": 3, "vier": 4, "four": 4,
    "fuenf": 5, "five": 5, "sechs": 6, "six": 6, "sieben": 7, "seven": 7,
    "acht": 8, "eight": 8, "neun": 9, "nine": 9, "zehn": 10, "ten": 10,
    "elf": 11, "eleven": 11, "zwoelf": 12, "twelve": 12,
    "vierzehn": 14, "fourteen": 14,
}  # fmt: skip

RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def normalize(text: str, *, keep_commas: bool = False) -> str:
    """Lower-case, fold umlauts to ASCII digraphs and collapse whitespace.

    Users type "Übermorgen", "uebermorgen" or "übermorgen"; the grammars only need
    to know one spelling. Commas become spaces unless they may be decimal commas.
    """
    text = unicodedata.normalize("NFC", text).lower().translate(_UMLAUTS)
    if not keep_commas:
        text = text.replace(",", " ")
    return _SPACES.sub(" ", text).strip()


def alternation(words: dict[str, int] | list[str]) -> str:
    """A regex alternation of ``words``, longest first so that prefixes never win."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def number(token: str) -> int:
    """An integer written as digits or as a small number word."""
    return int(token) if token.isdigit() else NUMBER_WORDS[token]


NUMBER = rf"(?:\d{{1,4}}|{alternation(NUMBER_WORDS)})"

"""A message's letter frame: the salutation before it and the closing and signature after.

Why: members write to the bot as they write e-mails ("Guten Tag, in wie viele Phasen wird
eine Kooperation eingeteilt? Mit freundlichen Grüßen Sabine Kowalczyk,
Schulverwaltungsamt"), or paste one. The frame says nothing about what is asked, but its
names, titles and institutions are words the content never uses, and unknown words weigh
like a topic: such a message was not answered although its question alone would be.
Cut off, the question is what is left.

Only a frame at the very start or after the last question mark is cut, and a message that
is nothing but a frame ("Hallo!", "Vielen Dank im Voraus!") stays as it is (small talk).
"""

from __future__ import annotations

import re

_GREETING_WORD = (
    r"(?:sehr\s+geehrte[rs]?|(?:sehr\s+)?verehrte[rs]?|guten\s+(?:tag|morgen|abend)|hallo"
    r"|hallöchen|hi|hey|moin"
    r"|servus|gr[üu]e?(?:ß|ss)\s+(?:gott|euch|dich|sie)|liebe[rs]?|dear|hello"
    r"|good\s+(?:morning|afternoon|evening))"
)
# who is greeted: "Damen und Herren", "liebes Team", "Frau Dr. Müller", "zusammen"
_GREETED = (
    r"(?:\s+(?:damen|und|herren|liebes|liebe|lieber|zusammen|alle|allerseits|team|ihr|leute"
    r"|frau|herr|dr\.?|prof\.?|kolleginnen|kollegen|moin|koopbot|bot|sir|madam"
    # a name: capitalised as written ("Hallo die Treffen, …" greets no one: not cut)
    r"|(?!(?:wie|was|wann|wer|wo|welche\w*|warum|wieso|gibt|kann|ist|sind)\b)"
    r"(?-i:[A-ZÄÖÜ])[\w.\-]*))"
    r"{0,4}"
)
_SALUTATION = re.compile(
    rf"^\s*(?:{_GREETING_WORD}{_GREETED}\s*[,!:;\n]+"
    # fixed greetings need no comma: "Guten Tag ich leite …"
    r"|(?:guten\s+(?:tag|morgen|abend)|sehr\s+geehrte\s+damen\s+und\s+herren"
    r"|hallo\s+(?:zusammen|liebes\s+team))\b[,!:;]*)\s*",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"(?:^|(?<=[\s.,!;:)]))(?:"
    r"(?:mit\s+)?(?:freundlich(?:en|e)?|viele[n]?|beste[n]?|herzlich(?:e|en|st)?|liebe[n]?"
    r"|sonnige|schöne|schoene|kollegiale[n]?)\s+gr(?:ü|ue|u)(?:ß|ss)(?:e|en)?"
    # "LG Jana", "mfg": only where a signature follows, not "was heißt lg in …"
    r"|(?:mfg|lg|vg|bg)(?=\s*(?:$|[,.!\n]|\s(?-i:[A-ZÄÖÜ])))"
    r"|gr(?:ü|ue|u)(?:ß|ss)\s*(?:,|$|\n|aus\b)"
    r"|(?:vielen|herzlichen|besten|tausend)?\s*dank\s+(?:im\s+voraus|vorab|schon\s+mal|schonmal"
    r"|für\s+(?:ihre|deine|eure)\s+(?:hilfe|mühe|antwort|unterstützung|rückmeldung))"
    r"|danke\s+(?:im\s+voraus|vorab|schon\s+mal|schonmal)"
    # the letter writer's thanks: "Mit verbindlichem Dank", "Ich danke Ihnen vielmals.",
    # "Ich wäre Ihnen für eine kurze Auskunft sehr verbunden.", "Für eine Antwort wäre ich
    # Ihnen dankbar."
    r"|mit\s+(?:verbindlichem|bestem|herzlichem|freundlichem|vielem|großem|grossem)\s+dank"
    r"|(?:ich|wir)\s+danke[n]?\s+(?:ihnen|euch|dir)"
    r"|(?:(?:ich|wir)\s+wären?\s+(?:ihnen|euch|dir)|für\s+(?:eine|ihre|jede|eure|deine))\b"
    r"[^.?!]{0,60}?\b(?:dankbar|verbunden)"
    r"|(?:best|kind|warm)\s+regards|regards|cheers|thanks\s+in\s+advance|best\s+wishes"
    r"|(?:yours\s+)?sincerely|yours\s+faithfully"
    r")\b",
    re.IGNORECASE,
)
# a closing is followed by a signature of a few words at most, never by a long text
_SIGNATURE_WORDS = 25


def unframed(text: str) -> str:
    """``text`` without its salutation and its closing with signature; ``text`` itself
    when nothing else would be left."""
    body = text
    while True:  # "Hallo, guten Tag, …": every salutation (so that a second call cuts none)
        found = _SALUTATION.match(body)
        if found is None or found.end() == 0:
            break
        body = body[found.end() :]
    # from the last closing back ("Danke im Voraus! LG Jana"): each one cut while only a
    # signature follows it (each stretch counted once: linear in the message)
    end = len(body)
    for found in reversed(list(_CLOSING.finditer(body, body.rfind("?") + 1))):
        if len(body[found.end() : end].split()) > _SIGNATURE_WORDS:
            break
        end = found.start()
    body = body[:end].strip()
    return body if any(ch.isalnum() for ch in body) else text

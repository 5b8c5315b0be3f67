"""A retold claim and the check that asks about it.

Why: members often retell what they heard and ask whether it holds: "Jemand meinte, im
Forum zum Bildungsmonitoring sei es darum gegangen, die Schulen zu benoten. Habe ich das
richtig verstanden?" The asking sentence names no topic at all: what is asked is the
claim before it. Scored on its own words ("richtig", "verstanden"), no entry fits; scored
with the speaker's frame ("Bei der Sitzung meinte einer aus dem Stadtrat, …"), the frame's
words (Sitzung, Stadtrat) drown the claim's topic. So a check takes the claim before it
along, without the frame, as a thin question ("Stimmt das?") already takes its sentence.

The kind of fact asked still comes from the check alone (a claim's "200 Euro" asks for no
amount), and whether the entry really answers stays with the rules and the verifier.
"""

from __future__ import annotations

import re

from content.clauses import SAID
from content.normalize import normalize

# words a check may carry without naming a topic ("stimmt das denn so wirklich?")
_FILLER = r"(?:\s+(?:denn|so|wirklich|eigentlich|tatsaechlich|auch|nun|jetzt|ueberhaupt|echt|genau|da|dann|noch|wohl|nicht|oder|gar))*"
_THAT = r"(?:das|es|des|dies|dieses)"
# a sentence that only asks whether what was said before holds
_CHECK = re.compile(
    r"^(?:und|also|aber|na|hm+|ok|okay)?\s*(?:"
    rf"(?:stimmt|stimmen|gilt){_FILLER}\s+{_THAT}{_FILLER}"
    rf"|{_THAT}\s+stimmt{_FILLER}"
    rf"|(?:ist|war|waere){_FILLER}\s+{_THAT}{_FILLER}(?:\s+(?:richtig|korrekt|wahr|zutreffend|so))+{_FILLER}"
    rf"|(?:hab|habe|hat|haben)\s+(?:ich|wir|sie|er)\s+{_THAT}{_FILLER}\s+(?:richtig|falsch)"
    r"\s+(?:verstanden|mitbekommen|gehoert|gelesen|im kopf)"
    rf"|trifft{_FILLER}\s+{_THAT}{_FILLER}\s+zu"
    rf"|kann\s+{_THAT}{_FILLER}\s+(?:sein|stimmen)"
    rf"|steht\s+{_THAT}{_FILLER}(?:\s+(?:in den folien|auf den folien|im text|in der doku\w*|dort|drin|so drin))?{_FILLER}"
    r"|(?:is|was)\s+(?:that|this|it)(?:\s+(?:really|actually|so))*\s+(?:true|right|correct|so)"
    r"|(?:did|do)\s+i\s+(?:get|understand)\s+(?:that|this|it)\s+(?:right|correctly)"
    r"|(?:right|true|correct)"
    r")\s*$"
)
# the speaker's frame before a retold claim ends at its first comma or colon, within a
# few words: "Jemand meinte, …", "Bei der Sitzung meinte einer aus dem Stadtrat, …"
_FRAME_END = re.compile(r"[,:]\s+")
_FRAME_CHARS = 120
# besides the verbs of saying (``clauses.SAID``): "ich habe gehört, …", "hab gelesen, …"
_HEARD = frozenset("gemeint gehoert gelesen heisst heard".split())
_CHECK_CHARS = 200  # a check is short: a longer sentence is not looked at


def is_check(sentence: str) -> bool:
    """Whether ``sentence`` only asks whether what was said before holds ("Stimmt das?",
    "Habe ich das richtig verstanden?", "Is that true?")."""
    if len(sentence) > _CHECK_CHARS:
        return False
    text = normalize(sentence).strip(" ?!.")
    return bool(text) and len(text) <= 80 and _CHECK.match(text) is not None


def without_frame(sentence: str) -> str:
    """``sentence`` without the speaker's frame before its claim ("Eine Mutter hat gesagt,
    die Kinder …" → "die Kinder …"); unchanged when it has none."""
    end = _FRAME_END.search(sentence, 0, _FRAME_CHARS)
    if end is None:
        return sentence
    frame = set(normalize(sentence[: end.start()]).split())
    if frame.isdisjoint(SAID) and frame.isdisjoint(_HEARD):
        return sentence
    return sentence[end.end() :].strip() or sentence

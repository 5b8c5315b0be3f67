"""Clauses of a message typed without punctuation.

Why: members dictate or type fast on the phone: "hallo ich bin grad auf dem weg zur arbeit
und wollte kurz fragen diese online treffen wie lange dauern die denn so ungefähr weil ich
muss das mit meiner mittagspause hinkriegen danke". With no full stop and no question mark
the search cannot tell the asking clause from the story around it, and the story's words
drown the topic (the score is the share of the question an entry explains). Cut at the
words that start a question ("wie", "gibt es", "how many"), a statement about the writer
("ich hab", "wir sind") or a closing ("danke", "sorry"), the asking clauses can be scored
alone, as the asking sentence of a punctuated message is.

Only the start of a clause is looked at, and a wrong cut costs little: the whole message
is still scored, the asking clauses only get a second chance.
"""

from __future__ import annotations

import functools
import re

from content.normalize import normalize

# a message piece shorter than this is one clause: "wie lange dauern die treffen"
MIN_WORDS = 10
# a writer who sets commas or dashes marks the clauses: "Nora Kaiser – who did she
# present with?" asks about her, not about "who did she present with"
_MARKED = re.compile(r"[,;:()\u2013\u2014]|\s-\s")
# the marks themselves, to cut at ("(" and ")" enclose, they separate no clause)
_MARK = re.compile(r"[,;:\u2013\u2014]|\s-\s")
# the writer's own words: a piece with one of them before a question tells a story
# ("unsere ogs will jetzt … und die koordinatorin meinte …, in wie viele phasen …?")
_OWN = frozenset(
    "ich i wir mir mich mer uns unser unsere unsre unserer unseren unserem mein "
    "meine meiner meinen meinem my our we".split()
)
# sentences up to this length are remembered (filed questions are shorter)
_REMEMBERED_CHARS = 400
# "wie viele verschiedene themen gibt es": a question's verb comes within a few words
_W_PHRASE = 5

_W_WORDS = frozenset(
    "wie was wann wer wen wem wessen wo woher wohin warum wieso weshalb weswegen womit wofuer "
    "wozu worauf woran worum wodurch worueber wovon welche welcher welches welchen welchem "
    "wieviel wieviele inwiefern inwieweit ob "
    # spoken "was" (Ruhr "wat", Bavarian "wos")
    "wat watt wos "
    "what when who whom where which how why whether".split()
)
_WHAT = frozenset("was wat watt wos".split())
# "so wie", "genauso wie", "sowas wie": a comparison, not a question
_NOT_AFTER = frozenset("so genauso ebenso sowie sowas egal irgend".split())
# "da stand was", "hab da was gelesen": "was" is "etwas" after these
_SOMETHING_AFTER = frozenset(
    "stand steht stehen hab habe hat haben gibt gibts gab sagen machen tun noch da auch mal "
    "nur schon irgend was".split()
)
# "was zu kooperationen vorstellen", "was mit erfolgen": "etwas" before these
_SOMETHING_NEXT = frozenset(
    "zu zum zur mit von vom dazu davon darueber drueber ueber neues anderes gutes wichtiges "
    "bestimmtes aehnliches passendes gelesen gesehen".split()
)
# "in wie viele phasen", "seit wann": the preposition belongs to the question
_PREPOSITIONS = frozenset(
    "in im an am auf aus bei mit nach seit von vom vor zu zum zur fuer ueber um unter bis ab "
    "durch gegen ohne zwischen of at for from with to by on about".split()
)
# a yes/no question starts with its verb and then a pronoun or article: "gibt es",
# "kann man", "hat der", "muss mer"
_YES_NO_VERBS = frozenset(
    "gibt gibts gab gabs kann kannst koennen konnte muss muessen darf duerfen soll sollen "
    "sollte ist isch sind war waren hat haben hatte wird werden braucht brauchen lohnt stimmt "
    "laeuft geht gehen gehoert zaehlt steht kommt weiss kennt bietet reicht "
    "kommen laufen finden findet passt klappt heisst bedeutet meint "
    "is are were can could do does did will would should must has have".split()
)
_YES_NO_NEXT = frozenset(
    "es man ihr du das des der die den dem da dabei dafuer dazu jemand ein eine einen so mer "
    "wir ich i sie er there it you we they the a an any this that".split()
)
# "gibts bei den treffen …": the verb holds its "es"
_HOLDS_ES = frozenset("gibts gabs".split())
# before its verb, a subject or an adverb makes a statement ("ich muss das …", "da gibts
# …", "dann kann ich dem das zeigen"): a yes/no question starts with its verb
_SUBJECTS = (
    frozenset(
        "ich i wir mir du er sie es man mer ihr das des der die da hier dort so auch ja doch "
        "dat dann damit sonst deshalb deswegen darum trotzdem ausserdem jetzt heute morgen "
        "gestern damals nun bald oft manchmal immer nie "
        "i we you they he she it there".split()
    )
    | _W_WORDS
)
# a statement about the writer: a pronoun and its verb ("ich hab vier im kopf", "wir
# sind ja nur ein kleiner ort"); after a verb ("was soll ich …") the pronoun is inside
# a question and no cut is made
_SELF = frozenset("ich i wir mir mer".split())
# spoken German drops the "ich": "… ab bin grad an der haltestelle", "hab den faden
# verloren"; these forms are the writer's own (a question puts its pronoun after them)
_SELF_ALONE = frozenset("bin hab habe glaub glaube dachte".split())
_PRONOUNS = frozenset("ich i wir mer man du er sie es ihr".split())
_ARTICLES = frozenset("der die das den dem des ein eine einen einem unsre unsere meine".split())
# what follows a relative "wo": its subject ("… Mail wo ich mich melden kann")
_SUBJECT_NEXT = _PRONOUNS | _ARTICLES
# "… dann kann ich das abstimmen", "damit ich …": what the writer will do with the answer
_THEN = frozenset("dann sonst deshalb deswegen darum damit".split())
_SELF_VERBS = frozenset(
    "hab habe bin muss will brauch brauche frag frage fand finde dachte denke glaub glaube "
    "weiss kenn kenne hoer hoere komm komme wollte mag hatte war werde wuerde moechte sind "
    "haben hatten waren wollen muessen machen brauchen suchen planen ueberlegen moechten "
    "wollten ham fahr fahre sitz sitze diktier diktiere schreib schreibe".split()
)
_CLOSINGS = (
    "danke",
    "dankeschoen",
    "vielen dank",
    "merci",
    "thx",
    "thanks",
    "thank you",
    "lg",
    "liebe gruesse",
    "viele gruesse",
    "gruss",
    "gruesse",
    "schoenen tag",
    "schoenen abend",
    "schoenen feierabend",
    "bis dann",
    "bis bald",
    "sorry",
    "entschuldigung",
    "tschuess",
    "ciao",
    "bye",
)
_CLOSING_WORDS = frozenset(c for c in _CLOSINGS if " " not in c)
_CLOSING_PAIRS = frozenset(c for c in _CLOSINGS if " " in c)
# "welches amt bzw welche person ist …", "wann oder wo": the same question asked two ways
_OR = frozenset("bzw beziehungsweise respektive resp oder or".split())
# "weil ich muss …", "frag für die lehrer": the reason after the question
_REASONS = frozenset("weil because".split())
_WORD = re.compile(r"\S+")
# "…? Für die Dienstreiseplanung im Haushaltsjahr.", "…? Wichtig für die Haushaltsplanung.",
# "…? Die Angabe wird für unsere Vorlage benötigt.": why the member asks, not what
_PURPOSE = frozenset("fuer zur zum zwecks wegen wichtig hintergrund anlass for".split())
_NEEDED = frozenset("benoetigt benoetigen gebraucht needed".split())
# what others said: "die rektorin meinte seit 2020", "hat jemand erzählt": a claim retold,
# often half wrong, that the member wants checked; its years, places and numbers are not
# what is asked
SAID = frozenset(
    "meinte meint meinten sagte sagt sagten gesagt erzaehlt erzaehlte erzaehlten "
    "behauptet behauptete behaupten hiess "
    "said says told claimed claims mentioned".split()
)
# who said it: "jemand meinte", "sie sagte", "einer hat gesagt"
_SPEAKERS = frozenset(
    "jemand einer eine keiner sie er die der den dem unsere unser meine mein "
    "someone somebody".split()
)
# "die frau von der musikschule meinte": the speaker's words may name where she is from
_OF = frozenset("von vom aus bei beim an am in im of from".split())
# "die frau von der musikschule meinte": an article and up to this many words to the verb
_SPEAKER_WORDS = 5
# "hat die rektorin erzählt", "hat jemand gesagt": a yes/no verb opening a retold claim
_SAID_AUX = frozenset("hat haben hatte hatten has had".split())


def _starts(words: list[str], i: int) -> str | None:
    """What clause starts at word ``i``: "ask", "tell" (story, reason, closing) or None."""
    word, before = words[i], words[i - 1]
    after = words[i + 1] if i + 1 < len(words) else ""
    if _retold(words, i):
        return "tell"
    if word in _W_WORDS and before not in _NOT_AFTER:
        if word in _WHAT and (before in _SOMETHING_AFTER or after in _SOMETHING_NEXT):
            return None
        return "ask"
    if (
        word in _YES_NO_VERBS
        and before not in _SUBJECTS
        and (after in _YES_NO_NEXT or word in _HOLDS_ES)
    ):
        return "ask"
    if word in _SELF and after in _SELF_VERBS and before not in _YES_NO_VERBS:
        return "tell"
    if word in _SELF_ALONE and before not in _SUBJECTS and after not in _PRONOUNS:
        return "tell"
    if word in _THEN and (after in _YES_NO_VERBS or (word == "damit" and after in _PRONOUNS)):
        return "tell"
    if word in _REASONS:
        return "tell"
    if word in _CLOSING_WORDS or f"{word} {after}" in _CLOSING_PAIRS:
        return "tell"
    return None


def _retold(words: list[str], i: int) -> bool:
    """Whether a clause reporting what someone else said starts at word ``i``: "die
    rektorin meinte …", "die frau von der musikschule meinte …", "hat die rektorin
    erzählt …", "sie sagte …"; not inside a question ("was hat sie gesagt", "stimmt die
    …")."""
    word, before = words[i], words[i - 1]
    if before in _W_WORDS or before in _YES_NO_VERBS or before in _OF:
        return False
    ahead = words[i + 1 : i + 1 + _SPEAKER_WORDS]
    if word in _SAID_AUX:  # "hat die rektorin erzählt", "hat jemand gesagt"
        if not ahead or ahead[0] not in _SPEAKERS:
            return False
        ahead = ahead[1:]
    elif word not in _SPEAKERS:
        return False
    for k, w in enumerate(ahead):
        if w in SAID:
            return True
        if w in _W_WORDS or w in _YES_NO_VERBS or w in _SELF:
            return False
        if w in _SPEAKERS and (k == 0 or ahead[k - 1] not in _OF):
            return False  # another phrase begins: it is looked at on its own
    return False


def _relative(sentence: str, spans: list[tuple[int, int]], words: list[str], i: int) -> bool:
    """ "… ne Telefonnummer oder Mail wo ich mich melden kann": "wo" after a noun (written
    with its capital) and before a subject starts a relative clause, not a question (a
    question's verb comes first: "… Mail wo finde ich die")."""
    if words[i] != "wo" or i < 2 or i + 1 >= len(words) or words[i + 1] not in _SUBJECT_NEXT:
        return False
    before = sentence[spans[i - 1][0] : spans[i - 1][1]]
    return before[:1].isupper()


def clauses(sentence: str) -> tuple[tuple[str, bool], ...]:
    """``sentence`` cut into clauses, each with whether it asks; one clause (asking or
    not: the caller decides) when it is short or no clause in it asks."""
    if len(sentence) > _REMEMBERED_CHARS:  # a member's long message: cut, not kept
        return tuple(_clauses(sentence))
    return _remembered_clauses(sentence)


@functools.lru_cache(maxsize=32_768)
def _remembered_clauses(sentence: str) -> tuple[tuple[str, bool], ...]:
    """Every index build cuts the same 17,000 filed and refused questions: remembered for
    the process, only short sentences, so that what members send cannot fill memory."""
    return tuple(_clauses(sentence))


def _clauses(sentence: str) -> list[tuple[str, bool]]:
    spans = [(m.start(), m.end()) for m in _WORD.finditer(sentence)]
    if len(spans) < MIN_WORDS:
        return [(sentence, False)]
    if _MARKED.search(sentence):
        return _marked_clauses(sentence)
    words = normalize(sentence).split()
    if len(words) != len(spans):  # a word that is only punctuation or an emoji
        words = [normalize(sentence[a:b]) for a, b in spans]
    cuts: list[tuple[int, bool]] = [(0, _starts(["", *words[:2]], 1) == "ask")]
    for i in range(1, len(words)):
        kind = _starts(words, i)
        if kind is None:
            continue
        if kind == "ask" and _relative(sentence, spans, words, i):
            continue
        last, asked = cuts[-1]
        if kind == "ask" and words[i] not in _W_WORDS and asked and i - last <= _W_PHRASE:
            continue  # "wie viele themen gibt es": the verb of the question begun
        if kind == "ask" and asked and words[i - 1] in _OR:
            continue  # "welches amt bzw welche person": one question, asked two ways
        if kind == "tell" and not asked and i - last <= 1:
            continue  # "weil ich …": one story clause
        if kind == "ask" and words[i] in _W_WORDS and words[i - 1] in _PREPOSITIONS:
            i -= 1
            if i <= last:  # "aus wie vielen kommunen …": the first clause asks
                cuts[-1] = (last, True)
                continue
        cuts.append((i, kind == "ask"))
    if not any(asks for _, asks in cuts):
        return [(sentence, False)]
    out: list[tuple[str, bool]] = []
    for n, (i, asks) in enumerate(cuts):
        end = cuts[n + 1][0] if n + 1 < len(cuts) else len(words)
        out.append((sentence[spans[i][0] : spans[end - 1][1]], asks))
    return out


def _marked_clauses(sentence: str) -> list[tuple[str, bool]]:
    """A sentence whose writer set commas or dashes, cut where a marked piece starts a
    question, after a piece of the writer's own story: "mein großer kommt nächstes jahr auf
    die weiterführende schule, welches von den treffen beschäftigt sich mit übergängen?"
    asks about the meetings, not about the son. A piece without the writer's words before
    the question names its topic and stays with it ("Nora Kaiser – who did she present
    with?", "Die Vereinbarung, was muss da rein?"); what follows a question without
    starting one belongs to it ("was kostet das, also ungefähr?") unless it tells ("…,
    weil ich …")."""
    pieces: list[tuple[int, int]] = []
    start = 0
    for m in _MARK.finditer(sentence):
        if sentence[start : m.start()].strip():
            pieces.append((start, m.start()))
        start = m.end()
    if sentence[start:].strip():
        pieces.append((start, len(sentence)))
    clauses_: list[tuple[int, int, str | None]] = []  # start, end, "ask" / "tell" / None
    for a, b in pieces:
        words = normalize(sentence[a:b]).split()
        if not words:
            continue
        kind = _piece_starts(words)
        if kind is None and not clauses_:
            kind = "tell" if _OWN.intersection(words) else None
        if kind is None and clauses_:
            prev = clauses_[-1]
            clauses_[-1] = (prev[0], b, prev[2])
            continue
        if clauses_ and clauses_[-1][2] is None:  # a topic stays with what follows it
            prev = clauses_.pop()
            a = prev[0]
        clauses_.append((a, b, kind))
    if len(clauses_) < 2 or not any(kind == "ask" for _, _, kind in clauses_):
        return [(sentence, False)]
    return [(sentence[a:b].strip(" ,;:\u2013\u2014-"), kind == "ask") for a, b, kind in clauses_]


def _piece_starts(words: list[str]) -> str | None:
    """What a marked piece starts: a question ("in wie viele phasen …", "gibt es …",
    "welches …"), the writer's story or reason ("ich hab …", "weil …"), or neither."""
    first = words[0]
    if first in _PREPOSITIONS and len(words) > 1 and words[1] in _W_WORDS:
        return "ask"
    return _starts(["", *words[:2]], 1)


def tells(sentence: str) -> bool:
    """Whether a sentence after a member's question tells about the writer rather than
    asking on: "…? unser kreis ist echt klein, bei uns kennt jeder jeden", "…? ich frag für
    den nachbarn". A sentence with the writer's words that starts (or, after "und", "also",
    continues with) a question asks on: "…? Und brauchen wir dafür eine Vereinbarung". What
    the answer is for tells too: "…? Für die Planung im Haushaltsjahr."."""
    words = normalize(sentence).split()
    if not words:
        return False
    if any(_piece_starts(words[k:]) == "ask" for k in range(min(2, len(words)))):
        return False
    # (a purpose, not a question typed without its mark: "Zum Beispiel wie hoch sind die
    # Kosten" still asks)
    if (words[0] in _PURPOSE or _NEEDED.intersection(words)) and not _W_WORDS.intersection(words):
        return True
    return bool(_OWN.intersection(words)) or _piece_starts(words) == "tell"

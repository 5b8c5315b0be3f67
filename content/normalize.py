"""German-aware text normalisation shared by content search and member matching.

Why: members type "Qualitat", "Kooperationsvereinbarung", "Strasse" or "OGS"; every
comparison must see the same canonical form. ``normalize`` is the one canonical
string form; ``tokens`` and ``stem`` build on it for the search index.
"""

from __future__ import annotations

import functools
import re

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_WORD = re.compile(r"[^0-9a-z]+")
# "Qualitat"/"qualitaet", "Schlussel"/"schluessel", "Offentlich"/"oeffentlich": a lost
# umlaut dot must not matter, at the start of a word too.
_UMLAUT_PAIRS = re.compile(r"(ae|oe|ue)")

# Inflection endings, longest first; both sides of every comparison are stemmed the
# same way, so the stems need not be linguistically correct, only consistent.
# a person who does something ("Teilnehmer", "Unternehmerin"): the verb's stem would
# make them the same as the act ("teilnehmen")
_AGENT = re.compile(r"(\w+nehmer)(?:in|innen|n|s)?$")
_SUFFIXES = ("innen", "isch", "ern", "en", "er", "es", "em", "e", "s")

STOPWORDS_DE = frozenset(
    """
    aber alle allem allen aller alles also am an andere anderen auch auf aus bei beim bin
    bis bitte bist da dabei dafuer damit dann darf darueber das dass dem den denn der des
    dessen die dies diese diesem diesen dieser dieses doch dort du durch ein eine einem
    einen einer eines einfach eigentlich es etwa etwas euch euer eure fuer gibt gab ganz
    genau gerne gern hab habe haben hat hatte hier hin ich ihr ihre im in ist ja jemand
    kann kannst koennen koennte koennten konkret man mal mein meine mir mit moechte
    muss muessen nach nicht noch nun nur ob oder ohne sehr sein seine sich sie sind so
    soll sollen sollte sollten um und uns unser unsere unter viel viele vielen vieler wieviel
    wieviele wievielen vom von vor wann war
    warum was weil welche welchem welchen welcher welches wem wen wenn wer werden wie wir
    wird wo woher wohin zu zum zur ueber eigentlich denn hallo hi moin danke bzw ca usw
    brauche wissen weiss frage fragen erklaer erklaere erklaeren sag sagen sagt zeig zeige
    gehts geht gehoert gehoeren heisst bedeutet bedeuten tun macht machen mache
    unserem unseren unserer unseres eurem euren eurer als jede jedem jeden jeder jedes
    ueberhaupt rein drin irgendwo leute nem davon dazu ner nen halt eben schon immer wirklich gerade jetzt eigtl
    jemanden irgendwie sowas okay ok liebe lieber leider gibts wieso weshalb
    wieviel wieviele wievielen wievielte
    ab allerdings bereits bevor dadurch daher danach darauf daraus darfst darin darum
    davor dein deine deinem deinen deiner deines deshalb deswegen dich dir drauf drum
    duerfen eh einige einigen einiges einmal entweder er falls fast ggf hast hatten
    haette haetten hingegen hoffentlich ihm ihn ihnen ihrem ihren ihrer ihres indem
    irgendein irgendeine irgendwas jedoch jene kaum kein keine keinem keinen keiner
    keines lass lasst meines meinem meinen meiner mich momentan musst naja ne nein
    nochmal paar quasi raus rauf seid seit selber selbst sodass solche solchen sollst
    sondern sonst sowieso statt tja trotzdem uebrigens vielleicht vielen waere waeren
    wurde wurden wuerde wuerden zwar zurzeit zwischendurch
    info infos informationen suche sucht kam kamen kommt krieg kriege kriegen kriegt
    hinkriegen hinbekommen klappt klappen hilft helfen hilf ahnung benutze benutzen benutzt
    verwende verwenden verwendet vorher vorab nachher erstmal zusammen funktioniert
    funktionieren funktioniere passiert passieren
    hey servus gruss gruesse lg vg mfg dankeschoen herzlichen sorry prima super toll
    wenns obs wies ists hats klappts machts
    gemeint meint meinen
    isch ischt isses bisch hasch net nit ned nich mer ma mi di mei dene denne de en som
    son sone nen gell gelle hald heut grad bissl bissel bisschen nix ham hamma gabs gings
    nee jo joa aeh aehm hm hmm achso ach oh
    dat datt wat watt wos vonne inne aufm ausm sach isset gibbet getz hasse kannze weisse
    ni nu jetze gugge keener keene keen och weess heesst zwee eener eene unsre unsrem
    unsren unsrer fraegt
    sei seien seist duerfe koenne muesse solle wolle moege werde gebe gaebe duerfte
    muesste
    freundlicherweise erlaeutern erlaeutert erlaeutere mitteilen mitteilt vielmals
    geehrte geehrter geehrtes verehrte verehrter verehrtes hochachtungsvoll
    """.split()
)
# typed on a keyboard without umlauts: "fur", "uber", "konnen", "mussen" (the folded "fuer"
# and "ueber" are stop words; without their "e" they weighed like unknown topic words)
STOPWORDS_DE = STOPWORDS_DE | frozenset(
    word.replace("ae", "a").replace("oe", "o").replace("ue", "u")
    for word in STOPWORDS_DE
    if "ae" in word or "oe" in word or "ue" in word
)
# (the six lines before the last: words of speech, dialect and dictation, "isch des net so
# gell", "hm also ähm": filler to the matcher, but as unknown words they weighed like a
# topic and drowned it; "dene" and "de" were even known, from filed dialect questions.
# The last: the reported speech of a retold claim, "man dürfe kein Scheitern erlauben",
# "es gebe sieben Themen", as "darf" and "gibt" are; and a letter's polite request,
# "Könnten Sie mir freundlicherweise erläutern …", as "erklären" is)
STOPWORDS_EN = frozenset(
    """
    a about an and any are as at be been but by can could do does did for from get got
    had has have how i if in into is it its me my of on or our please should so some
    tell than that the their them then there these they this to us was we what when
    where which who whom why will with would you your yours hi hello thanks explain
    know need want mean means am there s t much many just really here anything
    something someone anyone very doing done let lets may might must shall whats m ll re
    ve d hey thank thx pls okay ok between among actually those also such whose according
    regarding basically anyway thing things stuff
    """.split()
)
STOPWORDS = STOPWORDS_DE | STOPWORDS_EN


def normalize(text: str) -> str:
    """Lower-case, fold umlauts and ß, drop punctuation, collapse white space."""
    if len(text) <= _REMEMBERED_CHARS:
        return _normalize_remembered(text)
    return _normalize(text)


# One answer normalises the same question and its parts some sixty times; a short text's
# result is remembered (bounded: at most 4,096 texts of at most 1,000 characters).
_REMEMBERED_CHARS = 1000


def _normalize(text: str) -> str:
    folded = text.casefold().translate(_UMLAUTS)
    return _NON_WORD.sub(" ", folded).strip()


_normalize_remembered = functools.lru_cache(maxsize=4096)(_normalize)


def fold(token: str) -> str:
    """Drop the ``e`` of folded umlauts so "qualitaet" and "qualitat" compare equal."""
    return _UMLAUT_PAIRS.sub(lambda m: m.group(1)[0], token)


@functools.lru_cache(maxsize=16_384)  # the content has ~8,300 distinct words
def stem(token: str) -> str:
    """Strip one common German/English inflection ending from a normalised token."""
    token = fold(token)
    agent = _AGENT.match(token)
    if agent:  # "Teilnehmer(innen)" are people, "teilnehmen" is taking part: two stems
        return agent.group(1)
    for _ in range(2):  # twice: "lernclusters" -> "lerncluster" -> "lernclust"
        if len(token) <= 4 or token.isdigit():
            return token
        for suffix in _SUFFIXES:
            if token.endswith(suffix) and len(token) - len(suffix) >= 4:
                token = token[: -len(suffix)]
                break
        else:
            return token
    return token


def tokens(text: str) -> list[str]:
    """Normalised word tokens, stop words removed (order kept)."""
    return [tok for tok in normalize(text).split() if tok not in STOPWORDS]


def library_stopwords(lang: str = "de") -> frozenset[str]:
    """The stop-words-iso list of ``lang`` in ``normalize``d form (empty without it).

    Why a library list on top of our own: members write everyday verbs and fillers the
    content never uses ("gehen", "steht", "gemacht"); as unknown words they weighed as
    much as the topic and drowned it (measured in docs/ANSWERING.md).
    """
    try:
        import stopwordsiso
    except ImportError:
        return frozenset()
    words: set[str] = set()
    for word in stopwordsiso.stopwords(lang):
        words.update(normalize(word).split())
    return frozenset(words)

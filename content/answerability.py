"""What kind of fact a question asks for, and which kinds of fact an entry holds.

Why: similarity alone answers "Was kostet der Kongress?" with "Nichts: … kostenfrei" from
another entry, which reads as a promise. A question that asks for a *hard* fact (an
amount, a date, a coming date, a person, a number) is answered only from an entry whose
answer holds that kind of fact; the soft kinds (rule, how-to, definition) need no such
proof. Entry kinds come from rules over the answer text plus the entry's explicit
``facts:`` list in the YAML (which can also name a kind the rules miss).

Also here: small talk ("hallo", "danke!", "🎻🎻🎻"), which is no question at all.
"""

from __future__ import annotations

import re

from content.normalize import normalize

# "person_now": who holds an office *now* – the content is a snapshot of its documents
# and never holds that (no rule finds it, no entry may declare it)
# "end": until when something runs or must be done ("bis wann", "läuft … aus")
# "status_now": whether something still runs or has ended ("läuft das Lerncluster noch?"):
# the same snapshot cannot say
# "place": where an event took or takes place; "ranking": which one is the best, most …
HARD_KINDS = (
    "cost",
    "payer",
    "next",
    "end",
    "date",
    "place",
    "person",
    "person_now",
    "status_now",
    "ranking",
    "frequency",
    "frequency_count",
    "number",
)
KINDS = (*HARD_KINDS, "rule", "howto", "definition")

# Question patterns over ``normalize``d text (lower case, umlauts spelt out, no
# punctuation). Order matters: the first hard kind that matches wins.
_Q_HARD: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        # who pays: not an amount, but who bears the money (an entry about money answers)
        "payer",
        re.compile(
            r"\bwer\s+(?:bezahlt|zahlt|finanziert|traegt die kosten|uebernimmt die kosten)\b"
            r"|\bwho\s+(?:pays|funds|finances)\b"
            # the passive of a formal question: "Von wem wird die Agentur finanziert?"
            r"|\bvon wem\s+(?:wird|werden|wurde|wurden)\s+(?:\w+\s+){0,8}(?:finanziert|bezahlt"
            r"|gezahlt|gefoerdert|getragen)\b"
        ),
    ),
    (
        "cost",
        re.compile(
            r"\b(?:was|wieviel|wie viel)\s+(?:\w+\s+){0,2}kost\w*|\bkostet\b|\bkosten\b"
            r"|\bgekostet\b|\bkostete\w*|\bwie ?viel geld\b|\bhow much money\b"
            r"|\bwie hoch\s+(?:\w+\s+){0,3}\w*(?:foerder\w*|zuschu\w*|beitr\w*|betrag|summe|budget"
            r"|honorar\w*|gehalt(?:s\w*|\b)|verguetung\w*|kosten|gebuehr\w*)"
            r"|\b\w*(?:mitglieds|teilnahme|teilnehmer|eigen|jahres)beitr\w*"
            r"|\bfoerdersumme\w*|\bfoerderbetrag\w*|\bzuschu(?:ss|esse)\w*\b"
            r"|\bverdien\w*|\bgehalt(?:s\w*|\b)"
            r"|\blohn\b|\bsalar\w*|\bearns?\b|\bwage\w*|\bfoerdergeld\w*|\bfoerdermittel\w*"
            r"|\bfinanzielle\w* (?:unterstuetzung|foerderung)|\bgrants?\b|\bfunding\b"
            r"|\bkostenlos\w*|\bkostenfrei\w*|\b\w*gebuehr\w*|\bpreis\w*|\bteilnahmegebuehr\w*"
            r"|\bteuer\w*|\bgratis\b|\bumsonst\b|\beuro\b|\bhow much does\b|\bcosts?\b|\bfees?\b"
            r"|\bprice\w*|\bfree of charge\b|\bcharged?\b|\bpay for\b"
            # "was zahlt man pro Stunde?", "Honorar", "Fördervolumen": an amount
            r"|\bwas\s+(?:\w+\s+){0,8}(?:zahlt|bezahlt|zahlen|bezahlen)\b|\bhonorar\w*"
            r"|\b\w*(?:foerder|finanz)volumen\b"
            # "In welcher Höhe wird gefördert?", "Mit welchem Betrag …": an amount
            r"|\bin welcher hoehe\b|\b(?:mit )?welche[mn]? (?:betrag|summe)\b"
        ),
    ),
    (
        "next",
        re.compile(
            # "der nächste Schritt", "die nächste Phase", "next step" ask for a step
            r"(?<!\bals )\bnaechst\w*\b(?!\s+(?:schritte?n?|phasen?|stufen?|etappen?|punkte?s?|kapitel|folien?|thema"
            r"|themen|abschnitte?s?|einrichtung\w*|schul\w*|klassen?)\b)|\bkommend\w*|\bdemnaechst\b|\bwann\s+(?:\w+\s+){0,3}wieder\b"
            r"|\bnext\b(?!\s+(?:steps?|phases?|stages?|points?|slides?|topics?|schools?|to|door)\b)|\bupcoming\b|\bwhen will\b"
            r"|\bwann\s+(?:\w+\s+){0,6}(?:startet|starten|eingerichtet|eroeffnet|aufgemacht)\b"
            r"|\bwann\s+(?:macht|machen|geht|gehen)\s+(?:\w+\s+){0,6}(?:auf|los)\b|\bnaechstes jahr\b|\bwann\s+(?:\w+\s+){0,4}(?:2[3-9]|20[3-9]\d|202[3-9])\b"
        ),
    ),
    (
        "end",
        re.compile(
            r"\bbis wann\b|\bwann\s+(?:laeuft|lauft|laufen)\s+(?:\w+\s+){0,10}aus\b"
            r"|\bbis (?:zu )?welche[mn]? (?:jahr|zeitpunkt|datum|monat)\b|\bby (?:what|which) year\b"
            r"|\bwann\s+(?:\w+\s+){0,5}(?:endet|enden|auslaeuft)\b"
            r"|\bauslaufen\b|\bdeadline\b|\banmeldeschluss\b|\buntil when\b"
            r"|\bwhen does\s+(?:\w+\s+){0,5}end\b"
        ),
    ),
    (
        "date",
        re.compile(
            r"\bseit wann\b|\bin welchem (?:jahr|monat)\b|\bwelche[rn]? monat\b|\ban welchem tag\b|\bdatum\b"
            r"|\bwhich month\b|\bab wann\b|\bstartdatum\b|\bstarttermin\b|\baus welchem jahr\b"
            r"|\bvon wann\b|\bfrom when\b|\bstart date\b"
            r"|\b(?:erscheinungs|gruendungs|entstehungs|veroeffentlichungs|start)jahr\w*"
            r"|\bwann\s+(?:\w+\s+){0,6}(?:statt|stattgefunden|gegruendet|gestartet|angefangen"
            r"|begonnen|war|waren|gab)\b|\bwelches datum\b|\bwhen (?:was|did|were|is|does)\b"
            r"|\bwhat date\b|\bwhich year\b|\bsince when\b|\bwann genau\b"
            # "wann wurden die Ergebnisse veröffentlicht?": a past event's date
            r"|\bwann\s+(?:wurde|wurden|hatte|hatten)\b|\bwhen were\b"
            # "Mutmachpapier wann erschienen": a publication's date
            r"|\bwann\s+(?:\w+\s+){0,2}(?:erschienen|veroeffentlicht|herausgekommen|rausgekommen"
            r"|herausgegeben)\b"
        ),
    ),
    (
        # where an event was held ("wo fand der Kongress statt?"); "wo finde ich …" asks
        # for a document, "wo steht das" for a passage
        "place",
        re.compile(
            r"\bwo\s+(?:\w+\s+){0,6}(?:statt|stattgefunden|abgehalten|ausgerichtet)\b"
            r"|\ban welchem ort\b|\bin welche[rm]? (?:stadt|ort|gebaeude|raum|location)\b"
            # "in welchen Städten laufen die Cluster?" ("which town was presented as …" asks
            # for a name, which an entry naming it answers)
            r"|\bin welchen (?:staedten|orten|stadtteilen)\b"
            r"|\bwhere\s+(?:\w+\s+){0,6}(?:held|take place|took place|hosted)\b"
            r"|\bwo\s+(?:war|ist|sind|waren)\s+(?:\w+\s+){0,3}\w*(?:kongress|forum|tagung|treffen"
            r"|veranstaltung|workshop|sitzung)\w*\b"
            # a search-box query names the fact it wants: "ort praesenztreffen",
            # "lerncluster ort", "veranstaltungsort kongress" (not "vor Ort", which is how,
            # nor "wir sind ein kleiner Ort")
            r"|^ort\b|(?<!\bvor )\bort$|\bort (?:des|der|vom|von|fuer)\b|\bgenaue[rnm]? ort\b"
            r"|\b(?:veranstaltungs|tagungs|treff|sitzungs|kongress)ort\w*"
            r"|\blocation\b|\bvenue\b"
        ),
    ),
    (
        "person",
        re.compile(
            r"\bwer\s+(?:ist|war|sind|leitet|fuehrt|hat)\s+(?:\w+\s+){0,5}"
            r"\w*(?:ansprechp\w*|leiter\w*|leitung|chef\w*|vorsitz\w*|minister\w*|referent\w*"
            r"|kontakt\w*|praesident\w*|geschaeftsfuehr\w*|buergermeister\w*|direktor\w*)\b"
            r"|\bwie\s+heisst\s+(?:\w+\s+){0,3}\w*(?:ansprechp|leiter|referent|kontakt|moderator"
            r"|vorsitz|chef|minister|praesident|buergermeister|direktor|geschaeftsfuehr)\w*"
            # "brauche einen Namen": a person is asked for
            r"|\b(?:brauche|braeuchte|brauchen|haette gern|haetten gern)\s+(?:\w+\s+){0,2}namen\b"
            r"|\bwer\s+leitet\b|\bwer\s+(?:\w+\s+){0,5}(?:unterschreibt|unterzeichnet|unterschreiben"
            r"|unterzeichnen)\b|\bgibt(?:s| es)\s+(?:\w+\s+){0,3}(?:referent\w*|moderator\w*"
            r"|redner\w*|sprecher\w*)|\b(?:wen|who|wem)\b.*\bansprechp\w*"
            r"|\bgibt(?:s| es)\s+(?:\w+\s+){0,2}(?:ne|eine|einen|nen)\s+ansprechp\w*"
            # who is in charge at a named place ("wer ist bei der Transferagentur zuständig");
            # "wer ist wofür zuständig" asks for a division of tasks, no name
            r"|\bwer\s+ist\s+(?:bei|beim|in|im|an|am|von|vom|fuer)\s+(?:\S+\s+){0,5}zustaendig\w*"
            # who gave a talk or wrote a paper: a name
            r"|\bwer\s+hat\s+(?:\S+\s+){0,20}(?:gehalten|vorgetragen|geschrieben|verfasst"
            r"|moderiert|erstellt|vorgestellt|gesprochen|referiert|praesentiert|geleitet)\b"
            # the same in the passive: "Von wem wurde das Forum vorgestellt?"
            r"|\bvon wem\s+(?:wird|werden|wurde|wurden|ist|sind)\s+(?:\S+\s+){0,20}(?:gehalten"
            r"|vorgetragen|geschrieben|verfasst|moderiert|erstellt|vorgestellt|referiert"
            r"|praesentiert|geleitet|unterzeichnet|unterschrieben)\b"
            r"|\bwho\s+(?:moderated|chaired|led|hosted|presented|gave|spoke|wrote|created)\b|\bnamentlich\b|\bmit namen\b"
            # names asked for: "gibts da Namen?", "any names?", the keynote's speaker
            r"|\bgibt(?:s| es)\s+(?:\w+\s+){0,2}namen\b|\bwelche namen\b|\bany names\b"
            r"|\bwho\s+(?:gave|held|spoke|presented|delivered)\b|\bkeynote\w*|\bhauptredne\w*"
            # the name of a person ("Name der Referentin"), not of a thing ("der Name des
            # OWL-Clusters")
            r"|\bkontaktperson\w*|\bname\s+(?:der|des|von)\s+(?:\w+\s+){0,2}\w*(?:ansprechp|leiter"
            r"|referent|kontakt|moderator|vorsitz|chef|person|redner|sprecher|autor|verfasser)\w*"
            # an address asked for; "in den Mails vom Kreis" are messages
            r"|\bmail(?!s\b)\w*|\be mail\b|\btelefon\w*"
            # "who is allowed to join" asks who may, no name
            r"|\bwho\s+(?:is|are|s)\b(?!\s+(?:behind|allowed|eligible|able|invited|welcome|meant"
            r"|intended|supposed to (?:join|take part|participate)))|\bwho\s+(?:leads|runs|heads)\b"
            r"|\bcontact person\b|\bwhom? (?:can|do|should) i\b"
            # which organisations/persons take part: a list of named participants
            r"|\b(?:welche|which)\s+(?:\w+\s+){0,2}(?:musikschulen|kommunen|schulen|personen"
            r"|teilnehmer\w*|mitglieder\w*|staedte|kreise|landkreise|einrichtungen|organisationen|vereine"
            r"|schools|municipalities|people|members|cities)\b(?=.*\b(?:teilgenommen|teilnehmen"
            r"|nehmen teil|nahmen teil|mitmachen|machen\s+(?:\w+\s+){0,4}mit|mitgemacht|beteiligt"
            r"|sind\s+(?:im|in|bei|dabei)|gehoeren zu|are in"
            r"|dabei|took part|take part|participat\w*|kooperier\w*|haben schon|machen schon"
            r"|arbeiten\s+(?:\w+\s+){0,4}zusammen|\bliste\b|\blist\b))"
        ),
    ),
    ("frequency", re.compile(r"\bwie oft\b|\bwie haeufig\b|\bhow often\b|\bhow frequently\b")),
    (
        "number",
        re.compile(
            r"\bwie\s*viele[n]?\b|\bwie\s*viel\b|\banzahl\b|\bwie gross\w*|\bwie lang\w*|\bwie oft\b"
            r"|\bwie haeufig\b|\bwieviel\w*|\bhow many\b|\bhow long\b|\bhow often\b|\bhow big\b"
            r"|\bhow large\b|\bwelche frist\b|\bfrist\w*\b|\bmindest\w*|\bmaximal\w*|\bhoechst\w*"
            r"|\bwelche[rnm]? anteil\b|\bwhat share\b|\bwhat percentage\b"
            r"|\bmaximum\b|\bminimum\b|\bgroup size\b|\bgruppengroesse\w*"
            r"|\b(?:absolute|total|exact) number\b"
            # "max teilnehmerzahl": a limit or a count is asked
            r"|\bmax\b|\bteilnehmerzahl\w*|\bteilnehmeranzahl\w*"
            # "dauer online treffen", "projektlaufzeit": how long, as a search-box noun (a
            # contract's "Laufzeit" is an item it must name, asked as often as its length)
            r"|\bdauer\b|\bprojektlaufzeit\b|\bduration\b"
        ),
    ),
)
# The words that only say *which kind* of fact is asked; left out when checking that an
# entry is about the question's subject.
KIND_WORDS = frozenset(
    """
    kost kostet kosten kostenlos kostenfrei gebuehr gebuehren preis preise teuer gratis
    umsonst euro cost costs fee fees price prices charge pay teilnahmegebuehr
    naechst naechste naechsten naechster naechstes kommend kommende kommenden demnaechst
    wieder next upcoming jahr
    wann datum seit statt stattgefunden gegruendet gestartet when date year since
    aktuell aktuelle aktuellen derzeit momentan zurzeit heute jetzt current currently now
    wer leitet leiter leiterin leitung ansprechpartner ansprechperson ansprechpartnerin
    kontakt kontaktperson zustaendig name who contact mail email telefon
    viele viel anzahl gross lang lange oft haeufig wieviele many long often big large
    frist mindest mindestens maximal hoechstens frequently
    """.split()
)

_NUMBER_WORDS = (
    r"zwei|drei|vier|fuenf|sechs|sieben|acht|neun|zehn|elf|zwoelf|zwanzig|dreissig"
    r"|hundert|haelfte|two|three|four|five|six|seven|eight|nine|ten|twenty|half"
)
_MONTHS = (
    r"januar|februar|maerz|april|mai|juni|juli|august|september|oktober|november|dezember"
    r"|january|february|march|may|june|july|october|december|fruehjahr|herbst|sommer|winter"
)
_E_COST = re.compile(
    r"\bkost\w*|\bgebuehr\w*|\beuro\b|€|\bhonorar\w*|\bfinanzier\w*|\bbezahl\w*|\bgratis\b"
    r"|\bcosts?\b|\bfees?\b|\bfree of charge\b|\bpaid\b"
)
_E_DATE = re.compile(
    rf"\b(?:19|20)\d\d\b|\b(?:{_MONTHS})\b|\b\d{{1,2}}\s+\d{{1,2}}\s+(?:19|20)?\d\d\b"
)
# an end or a deadline: "bis 2025", "bis zum 30. Juni", "endet", "läuft … aus", "Frist"
_E_END = re.compile(
    rf"\bbis\s+(?:zum\s+|ende\s+|mitte\s+)?(?:\d|(?:{_MONTHS})\b)|\bendet\w*|\blaeuft\s+(?:\w+\s+){{0,5}}aus\b"
    r"|\bbefristet\w*|\bfrist\w*|\bspaetestens\b|\buntil\b|\bdeadline\b|\banmeldeschluss\b"
)
_CODE = re.compile(r"`[^`]*`")
# money without an amount: who bears it, how it is paid or settled
_E_MONEY = re.compile(
    r"\bgeld\w*|\bverguet\w*|\babrechn\w*|\babgerechnet\b|\bfinanz\w*|\btraeg\w*|\bzahlt\w*"
    r"|\bmoney\b|\bpays?\b|\bfund\w*"
)
# where: online, in a city or Land, at a named venue
_E_PLACE = re.compile(
    r"\bonline\b|\bdigital\w*|\bvirtuell\w*|\bvideokonferenz\w*|\bin praesenz\b|\bvor ort\b"
    r"|\bin (?:magdeburg|halle|koeln|duesseldorf|dortmund|essen|muenster|bonn|berlin|hamburg"
    r"|muenchen|leipzig|dresden|nrw|nordrhein westfalen|sachsen anhalt|sachsen)\b"
    r"|\b(?:stadt|staedte|rathaus|saal|tagungsort|veranstaltungsort|orten?|regionen)\b"
)
# a ranking: "am wichtigsten", "die meisten", "most"
_E_RANKING = re.compile(
    r"\bam\s+\w+sten\b|\b(?:wichtigste|meisten|beste|groesste|erfolgreichste|haeufigste"
    r"|beliebteste|schwierigste)\w*\b|\b(?:most|best|biggest|largest)\b"
)
_E_PERSON = re.compile(r"@|\bprof\b|\bdr\b|\bfachreferent\w*")
# references such as "Checkliste 1.6" or "6.12–6.15" and list numbers "1." hold no count
# … and the day of a date ("16. Juni 2022", "16 June") counts nothing either
_E_REFERENCE = re.compile(
    r"\b(?:phase|checkliste|checklist)\s+\d+(?:\.\d+)?|\d+\.\d+|(?:^|\s)\d\.(?=\s)"
    rf"|\b\d{{1,2}}\.?\s+(?:{_MONTHS}|april|august|september|november)\b"
)
# a count or amount; not a year or an identifier such as "0203"
# how often: "regelmäßig", "jährlich" answer a frequency question
_E_FREQUENCY = re.compile(
    r"\b(?:regelmaessig\w*|jaehrlich\w*|monatlich\w*|woechentlich\w*|turnus\w*|im jahr"
    r"|pro jahr|regular\w*|annual\w*|monthly|weekly)\b"
)
# a frequency stated as a count per period ("jährlich", "zweimal im Jahr" – the latter by
# its number): "regelmäßig" or "im Turnus" answers "wie oft?" but not "wie oft im Jahr?"
_E_PERIODIC = re.compile(
    r"\b(?:jaehrlich\w*|halbjaehrlich\w*|monatlich\w*|woechentlich\w*|taeglich\w*|quartalsweise"
    r"|annual\w*|monthly|weekly|daily|yearly|(?:ein|zwei|drei|vier|fuenf|sechs|acht|zehn|zwoelf"
    r"|\d{1,2})\s*mal|once|twice|(?:three|four|\d{1,2}) times)\b"
)
# "wie oft im Jahr …?", "how often per month": a count per period is asked
_Q_PERIOD = re.compile(
    r"\b(?:im|pro|per|a|each|jedes|jeden|jede|in einem|in the)\s+(?:jahr|monat|woche|halbjahr"
    r"|schuljahr|quartal|semester|year|month|week|term|school year)\b"
)
_E_NUMBER = re.compile(rf"\b(?!(?:19|20)\d\d\b)(?!0\d)\d{{1,4}}\b|\b(?:{_NUMBER_WORDS})\b")


# "Wie lange *sollte* eine Vereinbarung laufen?" asks for advice (a rule), not a number.
_ADVICE_DURATION = re.compile(r"\bwie\s*lang\w*|\bhow long\b")
_ADVICE = re.compile(
    r"\b(?:sollte|sollten|soll|sollen|sollt|empfiehlt|empfohlen|empfehlen\w*|sinnvoll\w*"
    r"|ratsam|should|recommend\w*|advisable|sensible)\b"
)

# "Sind Dauer und Häufigkeit fest oder kann man das ändern?", "can the group decide how
# often they meet?": whether a length or a frequency is fixed is a rule, not a number
_FIXED = re.compile(
    r"\b(?:fest|festgelegt|festgeschrieben|fix|fixiert|starr|flexibel|variabel|veraenderbar"
    r"|aenderbar|anpassbar|aendern|veraendern|anpassen|angepasst|geaendert|verhandelbar"
    r"|fixed|flexible|changed?|adjust\w*|adapt\w*|decide)\b"
)
_COUNTING = frozenset({"number", "frequency", "frequency_count"})

_NOW = re.compile(
    r"\b(?:wer ist gerade|gerade|grad|grade|aktuell\w*|derzeit\w*|momentan\w*|zurzeit|zur zeit|heute|jetzt|inzwischen|mittlerweile"
    r"|current\w*|now|nowadays|today|these days)\b"
)


# a question for a list of named members ("welche Kommunen …", "which schools …")
_LIST = re.compile(
    r"\b(?:welche|which|liste|nenne|nenn|list|name)\s+(?:\w+\s+){0,2}(?:musikschulen|kommunen|\w*schulen|personen|teilnehmer\w*"
    r"|mitglieder\w*|staedte|kreise|einrichtungen|organisationen|vereine|partner\w*|regionen"
    r"|schools|municipalities|people|members|cities|partners|regions)\b"
)
_WHO = re.compile(r"\b(?:wer|who)\b")
# whether something still runs or has ended: the content is a snapshot of its documents
_STILL = re.compile(
    r"\b(?:laeuft|laufen|gibt|gibts|existiert|existieren|besteht|bestehen)\s+(?:\w+\s+){0,5}(?<!\bnur )noch\b"
    # "gibt es noch weitere Treffen?" asks for more, not whether one still runs
    r"(?!\s+(?:weitere\w*|mehr|andere\w*|ein|eine|einen|einem|einer|etwas|was|zusaetzlich\w*))"
    r"|\bnoch\s+(?:aktiv|aktuell|am laufen|im gange)\b"
    # "ist er heute eigentlich noch Fachreferent?", "gibt es das heute noch?"
    r"|\b(?:heute|jetzt|immer)\s+(?:\w+\s+){0,2}noch\b(?!\s+(?:weitere\w*|mehr|andere\w*))"
    r"|\b(?:wurde|wird)\s+(?:\w+\s+){0,3}eingestellt\b|\bstill\s+(?:the|in|running|active|exist\w*|there"
    r"|around|going|open|available|in charge)\b|\bis\s+(?:\w+\s+){0,3}still\b"
    r"|\b(?:schon|bereits|inzwischen)\s+(?:beendet|vorbei|abgeschlossen|eingestellt|ausgelaufen)\b"
    # "dieses Jahr": the snapshot does not know which year it is read in
    r"|\b(?:dieses|diesem|in diesem|this) jahr(?:es)?\b|\bthis year\b|\bheuer\b"
    r"|\b(?:still|yet)\s+(?:running|active|going|exist\w*|on)\b|\b(?:has|have)\s+(?:\w+\s+){0,3}ended\b"
    # free places: whether one can still join now
    r"|\b(?:plaetze|platz)\s+(?:\w+\s+)?frei\b|\bfreie\w*\s+plaetze\b|\bspots?\s+(?:left|available)\b"
)
# which one is the best, the most …: a ranking the content must state
_RANKING = re.compile(
    r"\b(?:welche[rsnm]?|which)\b.*(?:\bam\s+(?!besten\b)\w+sten\b"
    # "am besten" is mostly "the best way" ("wie spricht man sie am besten an?")
    r"|\bam besten\s+(?:\w+\s+){0,6}?(?:besucht|geeignet|bewertet|gelaufen|angekommen)\b|\b(?:der|die|das|den)\s+(?!am\s)(?:\w+\s+)?"
    r"(?:wichtigste|beste|groesste|meiste|erfolgreichste|haeufigste|beliebteste|schwierigste)\w*\b"
    r"|\b(?:the\s+)?(?:most|best|biggest|largest)\b"
    # "welches Lerncluster ist am besten für Einsteiger?"
    r"|\b(?:ist|sind|waere|waeren)\s+(?:\w+\s+){0,2}am besten\b(?!\s+(?:\w+\s+){0,3}(?:zu|an)\b))"
)
# a clause saying what the source does *not* state holds no fact of that kind:
# "eine bestimmte Kündigungsfrist nennt die Quelle nicht" answers no question for one
_NOT_STATED = re.compile(
    r"\b(?:nennt|nennen|sagt|sagen|beziffert|beziffern)\s+(?:die\s+|der\s+)?(?:quelle|quellen"
    r"|dokument\w*|folien)\s+nicht\b|\bnicht\s+(?:genannt|angegeben|beziffert)\b"
    r"|\b(?:source|sources|document)\s+(?:does|do)\s+not\b|\b(?:source|sources)\s+names?\s+no\b"
)
_CLAUSE = re.compile(r"[.;!?\u2013\u2014]\s|\s-\s")


def stated(text: str) -> str:
    """``text`` without the clauses that say what the source does not state."""
    if not _NOT_STATED.search(normalize(text)):
        return text
    return " ".join(c for c in _CLAUSE.split(text) if not _NOT_STATED.search(normalize(c)))


_COUNTED = re.compile(
    r"\b(?:wie\s*viele|wieviele|how many|anzahl (?:der|an|von))\s+"
    # "wie viele verschiedene Themen": the noun, not its adjective
    r"(?:(?:verschiedene|verschiedne|unterschiedliche|einzelne|weitere|andere|neue|different"
    r"|various|other)\s+)?(\w+)"
)


# a period ("drei Monate", "6 Wochen") or a deadline ("bis zum 30. Juni", "spätestens")
_PERIOD = (
    rf"(?:(?:\d+|{_NUMBER_WORDS}|einen?|einer|one|a)\s+(?:\w+\s+)?(?:tag|tage|tagen|woche|wochen"
    r"|monat|monate|monaten|jahr|jahre|jahren|days?|weeks?|months?|years?)\b"
    r"|spaetestens|bis zum|bis ende|by the end)"
)


# Specific things a question may name that no general entry answers by chance: a question
# naming one (left) is answered only by an entry whose text names it too (right). "Sind die
# Kinder versichert?" must not get the entry about the OGS offer, "Telefonnummer von …" not
# the entry with the e-mail address.
_DETAILS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(q), re.compile(e))
    for q, e in (
        (
            r"versich\w*|haftung\w*|haftpflicht\w*|\bhaftet\b|\bhaften\b|\binsur\w*|\bliabil\w*",
            r"versich|haft|insur|liabil",
        ),
        (
            r"telefon\w*|\btelephone\b|\bhandynummer|\bphone\b|\bphone number|\banrufen\b|\bcall (?:him|her|them|you)\b"
            r"|\btel\b|\btelnr\b",
            r"telefon|phone|\d{3,}\s?\d{3,}",
        ),
        (
            r"(?<!mail )\b(?:post)?(?:adresse|anschrift)\b|(?<!mail )\baddress\b",
            r"(?<!mail )\b(?:post)?adresse|anschrift|strasse|(?<!mail )\baddress",
        ),
        (r"budget\w*|\betat\b", r"budget|\betat\b"),
        (  # an e-mail address only from an entry that gives one
            r"\be ?mail ?adress\w*|\bmailadress\w*|\bemail\b|\be mail\b|\bmail\b",
            r"\bemailadresse\b|\bmail\b|e mail|email",
        ),
        (  # results or an evaluation only from an entry that reports some
            r"\bauswertung\w*|\bergebnisse?\b|\bwirkung\w*|\bresults?\b|\boutcomes?\b",
            r"auswert|evaluat|evaluier|ergebnis|wirkung|result|outcome",
        ),
        (
            r"\bgehalt(?:s\w*|\b)|\bgehaelter\b|\bloehne?\b|\bverguetung\w*|\bhonorar\w*|\bsalar\w*|\bwages?\b",
            r"gehalt|gehaelt|lohn|loehne|verguet|honorar|salar|wage|finanzier|bezahl|kosten",
        ),
        (r"\bmitglied\w*|\bmitgliedschaft\w*|\bmembers?\b|\bmembership\b", r"mitglied|member"),
        (r"\bvorsitz\w*|\bpraesident\w*|\bchair\w*", r"vorsitz|praesident|chair"),
        (
            r"\bsteuer\b|\bsteuerlich\w*|\bumsatzsteuer\w*|\bmwst\b|\btax\w*",
            r"steuer\b|steuerlich|umsatzsteuer|mwst|\btax",
        ),
        (
            r"datenschutz\w*|\bdsgvo\b|\bdata protection\b|\bgdpr\b",
            r"datenschutz|dsgvo|data protection|gdpr",
        ),
        (
            # also in compounds ("Teilnahmebescheinigung", "Abschlusszertifikat")
            r"zertifikat\w*|bescheinigung\w*|\bcertificat\w*",
            r"zertifikat|bescheinig|certificat",
        ),
        (r"\bparkpl\w*|\bparken\b|\bparking\b", r"park"),
        (r"\buebernachtung\w*|\bhotel\w*|\baccommodation\b", r"uebernacht|hotel|accommodation"),
        (  # a time of day
            r"\bum wie ?viel uhr\b|\buhrzeit\w*|\bwhat time\b|\bat what time\b",
            r"\buhr\b|\b\d{1,2}[:.]\d{2}\b|\bo ?clock\b|\b\d{1,2}\s?(?:am|pm)\b",
        ),
        (  # a period or deadline ("Kündigungsfrist", "Anmeldefrist"): the entry must state
            # one next to it ("Frist von drei Monaten", "spätestens bis zum …"), not only
            # name it ("die Frist beachten") or state another period elsewhere
            r"\w*frist(?:en)?\b|\bdeadlines?\b|\bnotice period\b",
            # (each alternative starts at a word start: linear in a long word)
            rf"\b\w*(?:frist|kuendig|deadline|notice|anmeldeschluss)\w*(?:\s+\w+){{0,6}}?\s+{_PERIOD}"
            rf"|{_PERIOD}(?:\s+\w+){{0,6}}?\s+\w*(?:frist|kuendig|deadline|notice)",
        ),
        (  # a total count ("wie viele … insgesamt") is not a share ("mehr als die Hälfte")
            r"\b(?:wie\s*viele|wieviele|how many)\b.*\b(?:insgesamt|gesamtzahl|in total|overall)\b",
            r"insgesamt|gesamt|total|overall",
        ),
        (
            r"\bbarrierefrei\w*|\brollstuhl\w*|\baccessib\w*|\bwheelchair\b|\buntertitel\w*"
            r"|\bhoergeschaedigt\w*|\bgebaerdensprache\w*|\bsubtitle\w*",
            r"barriere|rollstuhl|accessib|wheelchair|untertitel|gebaerden|subtitle",
        ),
        # a category of place or thing the question asks to name ("an welcher Uni", "welche
        # Stadt", "über Zoom?"): only an entry that names such a place or thing answers
        (
            r"\b(?:welche[rsnm]?|which|what)\s+(?:uni\w*|universit\w*|hochschule\w*|college)\b",
            r"\buni\b|universit|hochschule|college",
        ),
        (
            # ("an welchem Ort" is answered by "an einem zentralen Ort": it asks for no town)
            r"\b(?:welche[rsnm]?|which|what)\s+(?:stadt|staedte|gemeinde|city|cities|town)\b"
            r"|\bin which (?:city|town|place)\b",
            r"stadt|staedte|gemeinde|city|cities|town",  # "an einem zentralen Ort" names none
        ),
        (  # which regions: "in verschiedenen Regionen" names none
            r"\b(?:welche[rsnm]?|which)\s+(?:\w+\s+){0,2}(?:region|regionen|regions?)\b",
            r"(?<!verschiedenen )(?<!mehreren )(?<!einigen )(?<!various )(?<!several )(?<!different )"
            r"\b(?:region|regionen|regions?)\b",
        ),
        (
            r"\b(?:zoom|webex|jitsi|skype|bigbluebutton|big blue button|ms teams|microsoft teams)\b"
            r"|\b(?:welche[rsnm]?|which|what)\s+(?:app|software|plattform|platform|tool|programm)\b",
            r"zoom|webex|jitsi|skype|bigbluebutton|teams|\bapp\b|software|plattform|platform|tool",
        ),
        (  # IT help ("wie mache ich in Element einen Raum auf?") only from an entry about it
            # "Element" only as the app ("in Element", "Element-App"): "ein Element der
            # Vereinbarung" is content
            r"\b(?:in|im|bei|mit|ueber|per|von|via) element\b|\belement (?:app|client|web)\b"
            r"|\b(?:matrix|wlan|wifi|passwort|password|laptop|computer|drucker|printer"
            r"|beamer|browser|smartphone|handy)\b",
            r"\belement\b|matrix|wlan|wifi|passwort|password|laptop|computer|drucker|printer"
            r"|beamer|browser|smartphone|handy",
        ),
        (  # a limit ("maximal", "mindestens") only from an entry that states one
            r"\bmaximal\w*|\bhoechstens\b|\bmindestens\b|\bminimal\w*|\bminimum\b|\bmaximum\b"
            r"|\bat most\b|\bat least\b|\bobergrenze\w*|\buntergrenze\w*|\bhoechstzahl\w*"
            r"|\bmindestzahl\w*|\bmindestanzahl\w*",
            r"maximal|hoechstens|mindestens|minimal|minimum|maximum|at most|at least|bis zu"
            r"|up to|obergrenze|untergrenze|nicht mehr als|no more than|hoechstzahl|mindest",
        ),
        (  # what is usual ("üblich", "in der Regel") only from an entry that says what is
            # ("typische Gründe" asks for reasons, not for a usual value)
            r"\bueblich\w*|\bnormalerweise\b|\bin der regel\b|\bgaengig\w*"
            r"|\busual\w*|\bnormally\b|\bcustomary\b",
            # (a range stated as varying says what is usual: "variiert zwischen 5 und 20")
            r"ueblich|typisch|normalerweise|in der regel|gaengig|meist|usual|typical|normally"
            r"|customary|variiert|schwankt|varies",
        ),
        (  # what the law requires, or whether something is compulsory
            r"\bgesetz\w*|\brechtlich\w*|\bvorgeschrieben\b|\b\w*pflicht\b|\bverpflichtend\b"
            r"|\bobligatorisch\b|\bmandatory\b|\bcompulsory\b|\blegally\b|\brequired by law\b",
            r"gesetz|rechtlich|pflicht|verpflicht|freiwillig|vorgeschrieben|mandatory|compulsory"
            r"|voluntary|legal",
        ),
        (  # how to apply or register: only an entry that says how (form, application)
            r"\bbeantrag\w*|\bantrag\w*|\beinreich\w*|\bbewerb\w*|\bformular\w*"
            r"|\bbeurkund\w*|\bzertifizier\w*|\bapply\b|\bapplication\w*|\bapplying\b|\bcertified\b",
            r"antrag|beantrag|einreich|bewerb|formular|anmeld|beurkund|zertifizier|apply|applica"
            r"|certif|register",
        ),
        (  # where something was published or can be read: an entry that says where
            r"\bwo\s+(?:\w+\s+){0,6}(?:nachlesen|nachschauen|nachgucken|herunterladen|downloaden"
            r"|einsehen|lesen)\b|\bveroeffentlicht\w*|\bpublished\b|\bwhere can (?:i|we) (?:read|find"
            r"|download|see)\b",
            r"www|http|\bde\b|website|webseite|internetseite|homepage|download|veroeffentlicht"
            r"|published|\blink\b|\bunter\s+(?:www|http)|\bim bot\b|\bchecklist|\bbefehl|command",
        ),
        (  # what a document says: only an entry that gives its contents, not one that
            # only names the document ("Ihr findet es unter www…")
            r"\bwas\s+(?:\w+\s+){0,3}steht\s+(?:\w+\s+){0,3}(?:im|in der|in dem|in einer|in einem"
            r"|in so einer|in so nem|in so einem)\b(?!\s+(?:mittelpunkt|zentrum|vordergrund|fokus"
            r"|raum|frage|weg))|\binhalt\w*\s+(?:des|der|vom|von)\b"
            r"|\bwhat does\s+(?:\w+\s+){0,4}(?:say|contain)\b",
            r"enthaelt|umfasst|beschreibt|behandelt|gliedert|inhalt|element|punkte|kapitel"
            r"|checklist|leitfrage|contains|covers|describes|\bthemen\b",
        ),
        (  # a file to download or a link: only an entry that says where it is
            r"\b(?:runter|herunter)lad\w*|\bdownload\w*|\blinks?\b|\bpdf\b|\burl\b"
            r"|\bals (?:word|pdf|doc)\w*\b|\bword ?datei\w*",
            r"www|http|download|\blink\b|\bpdf\b|\bim bot\b|\bbefehl|command",
        ),
        (  # geography: "die Hauptstadt von Sachsen-Anhalt"
            r"\bhauptstadt\w*|\blandeshauptstadt\w*|\bcapital(?: city)? of\b|\bwhat is the capital\b",
            r"hauptstadt|capital",
        ),
        (  # how many inhabitants: a place's size
            r"\beinwohner\w*|\bpopulation\b|\binhabitants\b",
            r"einwohner|population|inhabitants",
        ),
        (  # a recording of an event: only an entry that says there is one
            r"\baufzeichn\w*|\baufgezeichnet\b|\bmitschnitt\w*|\brecord(?:ed|ing|ings)\b"
            r"|\bnachschauen\b|\bnachtraeglich anschauen\b",
            r"aufzeichn|aufgezeichnet|mitschnitt|record|video|dokumentation|dokumentiert",
        ),
        (  # opening or office hours
            r"\w*oeffnungszeit\w*|\bsprechzeit\w*|\bsprechstunde\w*|\bopening hours\b|\boffice hours\b",
            r"oeffnungszeit|sprechzeit|sprechstunde|\buhr\b|opening|office hours",
        ),
        (  # a day of the week
            r"\b(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|wochenende|werktag"
            r"|wochentag)\w*"
            r"|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|weekday)s?\b",
            r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|wochenend|werktag|monday"
            r"|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|weekday",
        ),
        (  # an age
            r"\bab welchem alter\b|\bwie alt\b|\bhow old\b|\bwhat age\b|\bat what age\b",
            r"\balter\b|jahre alt|jaehrig|years old|\bage\b",
        ),
        (  # a percentage is not a plain count
            r"\bprozent\w*|\bpercent\w*|\bquote\b|\banteil\b",
            r"prozent|percent|haelfte|\bhalf\b|drittel|viertel|\bquote\b|anteil",
        ),
    )
)


# A Land other than the content's own two (NRW, Sachsen-Anhalt, the context of every
# entry): a question about one ("beim Landesverband Bayern", "in Hessen") is answered
# only by an entry that names it too. "Sachsen" is not "Sachsen-Anhalt".
_LAND_FORMS = (
    ("bayern", "bavaria", "bavarian"), ("baden wuerttemberg",), ("hessen", "hesse"),
    ("niedersachsen", "lower saxony"), ("schleswig holstein",),
    ("rheinland pfalz", "rhineland palatinate"), ("saarland",), ("brandenburg",),
    ("mecklenburg vorpommern",), ("thueringen", "thuringia"), ("berlin",), ("hamburg",),
    ("bremen",), ("sachsen", "saxony"),
)  # fmt: skip
# (the content's own Länder are found too, so that "Sachsen-Anhalt" is not read as "Sachsen")
_LAND = re.compile(
    r"\b(?:sachsen anhalt|saxony anhalt|"
    + "|".join(sorted((f for g in _LAND_FORMS for f in g), key=len, reverse=True))
    + r")\b"
)
_LAND_GROUP = {form: group for group in _LAND_FORMS for form in group}


def _land_details(norm: str) -> tuple[re.Pattern[str], ...]:
    """For each Land a question names (not the content's own): what an entry must name."""
    out = []
    for found in dict.fromkeys(_LAND.findall(norm)):
        group = _LAND_GROUP.get(found)
        if group is None:  # one of the content's own Länder
            continue
        out.append(re.compile("|".join(rf"\b{form}\b(?! anhalt)" for form in group)))
    return tuple(out)


def asked_details(question: str) -> tuple[re.Pattern[str], ...]:
    """What an entry's (``normalize``d) text must name for each specific thing the
    question names (an insurance, a phone number, a budget …); empty for most questions."""
    norm = normalize(question)
    return tuple(held for asked, held in _DETAILS if asked.search(norm)) + _land_details(norm)


_COUNT_TOKEN = re.compile(
    rf"(?!(?:19|20)\d\d$)(?!0\d)\d{{1,4}}$|(?:{_NUMBER_WORDS}|mehrere|einige)$"
)
COUNT_WINDOW = 2  # words from a count to what it counts ("90 Fragen", "drei kleine Foren")


def is_count_token(word: str) -> bool:
    """A ``normalize``d word that states a count ("90", "sieben"); not a year or an id."""
    return bool(_COUNT_TOKEN.match(word))


_SHARE_WORDS = frozenset({"prozent", "percent", "der", "des", "von", "of", "the"})


_SHARE_COUNTS = frozenset({"haelfte", "half"})
_PERCENT = frozenset({"prozent", "percent"})


def counts_near(
    tokens: list[tuple[frozenset[str], bool]],
    counted: frozenset[str],
    *,
    shares: bool = True,
) -> bool:
    """Whether a text (its words as (terms, is a count)) states a count of ``counted``:
    a count within ``COUNT_WINDOW`` words of a word with one of the counted terms.

    "Wie viele Leute nahmen teil?" is not answered by "drei Foren" in the same entry.
    """
    places = {i for i, (terms, _) in enumerate(tokens) if terms & counted}
    for n, (_, count) in enumerate(tokens):
        if not count:
            continue
        if not shares and _is_share(tokens, n):
            continue  # "50 Prozent", "die Hälfte": no absolute number
        # a count stands before what it counts ("drei kleine Foren", "90 Fragen"), or
        # right after it ("Teilnehmende: 5"); "drei Partner – Schule, …" counts partners,
        # not schools. "50 Prozent der Musikschulen" counts the schools: a share's words
        # do not use up the window. Each count looks at a bounded stretch: linear.
        if n - 1 in places:
            return True
        budget, j = COUNT_WINDOW, n + 1
        while budget > 0 and j < len(tokens) and j <= n + COUNT_WINDOW + 3:
            if j in places:
                return True
            if not tokens[j][0] & _SHARE_WORDS:
                budget -= 1
            j += 1
    return False


def _is_share(tokens: list[tuple[frozenset[str], bool]], n: int) -> bool:
    """Whether the count at ``tokens[n]`` is a share ("50 Prozent", "die Hälfte")."""
    if tokens[n][0] & _SHARE_COUNTS:
        return True
    return n + 1 < len(tokens) and bool(tokens[n + 1][0] & _PERCENT)


# a question for an absolute number, not a share ("also die absolute Zahl, nicht Prozent")
ABSOLUTE = re.compile(
    r"\babsolut\w*|\bgenaue anzahl\b|\bexact number\b|\bin total numbers\b"
    # "in zahlen, nich in prozent"
    r"|\bnich?t? (?:in )?prozent\b|\bkeine? prozent\w*|\bin zahlen\b|\bnot (?:in |as )?(?:a )?percent\w*"
)


# words for "people" a member counts with ("wie viele Leute"): any of them names people
_PEOPLE = frozenset(
    "leute personen person menschen teilnehmer teilnehmende teilnehmerinnen mitglieder"
    " people persons participants members".split()
)


def counted_aliases(word: str) -> frozenset[str]:
    """The words that name what ``word`` counts: itself, or any word for people."""
    return _PEOPLE | {word} if word in _PEOPLE else frozenset({word})


def counted_word(question: str) -> str | None:
    """What a "wie viele X" question counts ("Teilnehmer"), which the entry must name."""
    found = _COUNTED.search(normalize(question))
    return found.group(1) if found else None


# names asked for outright ("gibts da Namen?", "namentlich"): a description of who takes
# part ("Mitglieder, die schon lange kooperieren") answers "wer sind …", not this
_NAMES = re.compile(r"\bnamen\b|\bnamentlich\w*|\bnames\b|\bname\s+(?:der|des|von|of)\b")


def asks_for_names(question: str) -> bool:
    """Whether a person question asks for names, not for who (as a group) is meant."""
    return bool(_NAMES.search(normalize(question)))


def question_kind(question: str) -> str | None:
    """The hard kind of fact a question asks for, or None for a soft question."""
    norm = normalize(question)
    if _STILL.search(norm):
        return "status_now"  # "läuft das Lerncluster noch?"
    if _RANKING.search(norm):
        return "ranking"  # "welches Thema war am besten besucht?"
    if (_LIST.search(norm) or _WHO.search(norm)) and _NOW.search(norm):
        # "welche Kommunen sind aktuell im Lerncluster?": who takes part *now*; the
        # content is a snapshot of its documents
        return "person_now"
    for kind, pattern in _Q_HARD:
        if pattern.search(norm):
            if kind == "person" and _NOW.search(norm):
                return "person_now"
            if kind in _COUNTING and _FIXED.search(norm) and not _E_NUMBER.search(norm):
                return None  # "… wie oft, oder kann man das ändern?" (but "… 4 fest?")
            if kind == "frequency" and _Q_PERIOD.search(norm):
                return "frequency_count"
            if (
                kind == "number"
                and _ADVICE_DURATION.search(norm)
                and _ADVICE.search(norm)
                and not _E_NUMBER.search(norm)  # "… 1 Jahr oder 3?" asks for a number
            ):
                return None
            return kind
    return None


def entry_kinds(
    answer_texts: list[str], declared: list[str] | tuple[str, ...] = ()
) -> frozenset[str]:
    """Kinds of fact an entry's answer holds: by rule from its text plus ``declared``.

    ``next`` (a coming date) is never found by rule: an entry holds it only when it says
    so, e.g. the entry that points to ``!termine``.
    """
    kinds = set(declared) | {"rule", "howto", "definition"}
    for text in answer_texts:
        # a command example ("`!kooperation feld laufzeit 1 Schuljahr`") states no fact
        text = stated(_CODE.sub(" ", text))
        raw = text.casefold()
        norm = normalize(text)
        if _E_COST.search(norm) or "€" in raw:
            kinds.update(("cost", "payer"))
        if _E_MONEY.search(norm):
            kinds.add("payer")
        if _E_DATE.search(norm):
            kinds.add("date")
        if _E_END.search(norm):
            kinds.add("end")
        if _E_PLACE.search(norm):
            kinds.add("place")
        if _E_RANKING.search(norm):
            kinds.add("ranking")
        if _E_PERSON.search(raw) or _E_PERSON.search(norm):
            kinds.add("person")
        if _E_NUMBER.search(normalize(_E_REFERENCE.sub(" ", text.casefold()))):
            kinds.update(("number", "frequency", "frequency_count"))
        if _E_FREQUENCY.search(norm):
            kinds.add("frequency")
        if _E_PERIODIC.search(norm):
            kinds.update(("frequency", "frequency_count"))
    return frozenset(kinds)


_GREETING = re.compile(
    r"^(?:hallo|hallihallo|hi|hey|moin|moinmoin|servus|gruess gott|gruezi|guten (?:morgen|tag|abend)"
    r"|hello|good (?:morning|afternoon|evening)|huhu|na|sehr geehrte damen und herren"
    r"|liebe (?:leute|alle|kolleginnen und kollegen))(?:\s+(?:zusammen|ihr|leute|bot|koopbot"
    r"|alle|allerseits|miteinander|liebes team|liebe leute|team|everyone|all|there|du))*"
    # "hi bot, wie gehts dir so?": a greeting, no question about the content
    r"(?:\s+(?:wie gehts|wie geht es|wie geht s|how are you|how is it going)(?:\s+(?:dir|euch|ihnen"
    r"|so|denn|heute|today))*)?$"
)
_THANKS = re.compile(
    r"^(?:(?:vielen|tausend|herzlichen|besten|lieben)\s+)*(?:dank|danke|dankeschoen|merci|thx"
    r"|thanks|thank you|ty|super|prima|toll|klasse|perfekt|cool|ok|okay|alles klar|passt"
    r"|top|great|perfect)(?:\s+(?:dir|euch|schoen|sehr|vielmals|sehr|so much|a lot|lot|bot"
    r"|fuer die (?:antwort|hilfe|info)|for the (?:answer|help)|das hilft|hilft|much"
    r"|im voraus|vorab|schon mal|schonmal|in advance|that helps|that helped|helps|that s great"
    r"|(?:das )?hat (?:mir |uns )?(?:sehr )?geholfen))*$"
)
# a question about the bot itself ("wer bist du?", "bist du ein Mensch?"): no content
# question; it gets a short introduction
_ABOUT = re.compile(
    r"^(?:(?:hallo|hi|hey|moin|servus|hello|na)\s+)*(?:(?:du\s+)?bot\s+)?"
    # "bist du eigentlich n Mensch oder ein Bot?": fillers, and "n" for "ein" as typed
    r"(?:(?:wer|was)\s+bist\s+du|bist\s+du(?:\s+(?:eigentlich|denn|ueberhaupt|nur))*"
    r"\s+(?:ein|eine|n|echt|wirklich)(?:\s+\w+)?"
    r"|who are you|what are you|are you (?:a |an )?(?:bot|human|real|person|ai))"
    r"(?:\s+(?:oder|or)\s+(?:(?:ein|eine|n|echt|a|an)\s+)?(?:mensch|bot|ki|maschine|computer"
    r"|human|person|real))?"
    r"(?:\s+(?:eigentlich|denn|ueberhaupt|genau|so))*$"
)
_BYE = re.compile(
    r"^(?:tschuess|tschau|ciao|bye|bis dann|bis bald|schoenen tag|goodbye"
    # a letter's closing sent alone ("Mit freundlichen Grüßen", "LG")
    r"|(?:mit )?(?:freundlichen|vielen|viele|besten|beste|herzlichen|herzliche|liebe|lieben)"
    r" gruessen?|best regards|kind regards|regards)(?:\s+\w+)?$"
    # "LG" alone ("lg kosten" may be a search)
    r"|^(?:lg|vg|mfg)$"
)


# A message made only of these words, opened by a greeting or thanks, is small talk as
# a whole: "danke dir, das hat mir echt geholfen! 😊", "Hallo zusammen, ich bin die Neue 👋",
# "Moin, freu mich auf die Zusammenarbeit". A single word outside them ("was", "kosten",
# "Laufzeit") makes it a question again; so "was" (German "what") and "is" ("ist") are
# not among them, whatever they mean in English.
_SOCIAL_OPENERS = frozenset(
    """
    hallo hallihallo hi hey moin servus huhu hello guten gruess gruezi liebe lieber liebes
    danke dank dankeschoen vielen tausend herzlichen merci thx thanks thank super prima toll
    klasse perfekt cool ok okay top great perfect
    """.split()
)
_SOCIAL_WORDS = _SOCIAL_OPENERS | frozenset(
    """
    zusammen ihr alle allerseits miteinander leute team bot koopbot du dir euch ihnen
    morgen tag abend everyone all there you
    ich bin die der das neue neuer neu hier jetzt auch dabei im in netzwerk seit heute
    freue freu mich uns auf zusammenarbeit austausch schoen da zu sein
    echt wirklich total mega so sehr voll richtig ganz schon mal schonmal vielmals nochmal
    hat haben mir geholfen weitergeholfen hilft hilfreich hilfe antwort antworten info
    infos fuer und erstmal gruss gruesse lg vg a lot much very helpful helped that this s it
    """.split()
)
# who the writer is: "ich bin Anna", "mein Name ist Jonas Weber", "ich heiße Frau Yilmaz"
_INTRODUCTION = re.compile(
    r"\b(?:ich bin|ich heisse|mein name ist|my name is|i am|i m)(?: \S+){1,3}"
    r"(?: (?:von|vom|aus|bei|beim|an|am|from|at)(?: der| dem| den| the)?(?: \S+){1,3})?$"
)
# words that ask or name the kind of fact asked, never part of a name after "ich bin"
_ASKING_WORDS = KIND_WORDS | frozenset(
    "was wer wie wo wann warum wieso weshalb welche welcher welches ob what how why which".split()
)
_THANKS_WORDS = frozenset("danke dank dankeschoen merci thx thanks thank geholfen".split())


def _social(norm: str) -> str | None:
    """ "greeting" or "thanks" when every word of a message opened by a greeting or
    thanks is social (a name after "ich bin" included); otherwise None."""
    words = norm.split()
    if not words or words[0] not in _SOCIAL_OPENERS:
        return None
    intro = _INTRODUCTION.search(norm)
    if intro and not _ASKING_WORDS.isdisjoint(intro.group().split()):
        intro = None  # "ich bin neu, was jetzt": no name, a question without its "?"
    rest = norm[: intro.start()].split() if intro else words
    if not all(word in _SOCIAL_WORDS for word in rest):
        return None
    return "thanks" if _THANKS_WORDS & set(words) else "greeting"


def small_talk(question: str) -> str | None:
    """ "greeting", "thanks" (also goodbyes), "about" (who the bot is) or "emoji" when
    the text is no question about the content."""
    norm = normalize(question)
    if not norm:
        # Nothing but symbols or emoji ("🎻🎻🎻", "👍", "?!").
        return "emoji" if question.strip() else None
    if _GREETING.match(norm):
        return "greeting"
    if _THANKS.match(norm) or _BYE.match(norm):
        return "thanks"
    if _ABOUT.match(norm):
        return "about"
    if "?" in question:
        return None  # "Hallo, ich bin neu – und jetzt?" asks
    return _social(norm)

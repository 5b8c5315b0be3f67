"""Messages typed without punctuation: the asking clause is found, the story is not asked."""

from __future__ import annotations

import re

import pytest

from content import clauses as clauses_module
from content.clauses import clauses


def asking(text: str) -> list[str]:
    return [clause for clause, asks in clauses(text) if asks]


def test_a_dictated_message_keeps_its_question_apart_from_story_and_thanks() -> None:
    text = (
        "hallo ich bin grad auf dem weg zur arbeit und wollte kurz fragen diese online "
        "treffen vom landesverband wie lange dauern die denn so ungefähr weil ich muss das "
        "mit meiner mittagspause hinkriegen danke"
    )
    cut = clauses(text)
    assert asking(text) == ["wie lange dauern die denn so ungefähr"]
    assert cut[-1] == ("danke", False)
    assert " ".join(c for c, _ in cut) == text  # nothing lost, nothing reordered


def test_the_verb_of_a_w_question_starts_no_second_question() -> None:
    text = (
        "wie viele verschiedene themen gibt es bei diesen digitalen austauschrunden "
        "insgesamt ich hab fünf gezählt"
    )
    assert asking(text) == [
        "wie viele verschiedene themen gibt es bei diesen digitalen austauschrunden insgesamt"
    ]


def test_a_yes_no_question_after_the_story_is_found() -> None:
    text = "wir haben grad voll stress mit der ogs leitung an unserer gs gibts bei den treffen eins dazu"
    assert asking(text) == ["gibts bei den treffen eins dazu"]


def test_the_preposition_belongs_to_the_question() -> None:
    text = (
        "i muss morgen im kollegium was zu kooperationen vorstellen und hab grad kein nerv "
        "mehr in wie viele phasen wird so ne kooperation da eingeteilt"
    )
    assert asking(text) == ["in wie viele phasen wird so ne kooperation da eingeteilt"]


@pytest.mark.parametrize(
    "text",
    [
        # "was" for "etwas", "so wie" a comparison: no question starts there
        "am anfang von der umsetzung da stand was mit erfolgen und das fand ich schön",
        "wir machen das genauso wie die anderen musikschulen in der region auch",
        # short: one clause, whatever it holds
        "wie lange dauern die treffen",
    ],
)
def test_no_question_no_cut(text: str) -> None:
    assert clauses(text) == ((text, False),)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "🎻 " * 30,
        "wie " * 200,
        "ich hab " * 100,
        # the spoken forms of session 11, over and over
        "bin " * 3000,
        "dann kann " * 2000,
        "wat dat " * 2000,
        "damit ich " * 1500 + "wat kostet dat",
    ],
)
def test_strangers_input_never_breaks_it(text: str) -> None:
    cut = clauses(text)
    assert [word for clause, _ in cut for word in clause.split()] == text.split()


def test_a_members_long_message_is_cut_but_not_kept() -> None:
    # filed questions are remembered for the next index build; what members send is not,
    # so a flood of long messages cannot fill the process's memory
    before = clauses_module._remembered_clauses.cache_info().currsize
    text = "hallo ich hab da eine frage " + "wie lange dauern die treffen " * 40
    assert any(asks for _, asks in clauses(text))
    assert clauses_module._remembered_clauses.cache_info().currsize == before


def test_a_statement_without_its_pronoun_is_story_not_question() -> None:
    """Spoken German drops the "ich": "… bin grad im zug", "hab die mail nicht dabei"."""
    text = (
        "wie viele themen hat das netzwerk eigentlich bin grad im zug und hab die mail nicht dabei"
    )
    assert asking(text) == ["wie viele themen hat das netzwerk eigentlich"]
    # after its verb the pronoun belongs to a question: "hab ich" starts no story
    text = "welche unterlagen hab ich für das erste gespräch mit der schule mitzubringen"
    assert asking(text) == [text]


def test_a_verb_after_an_adverb_is_a_statement_not_a_yes_no_question() -> None:
    text = (
        "wie lange dauern die online treffen vom verband dann kann ich das mit der "
        "schulleitung abstimmen"
    )
    assert asking(text) == ["wie lange dauern die online treffen vom verband"]


def test_spoken_was_starts_a_question() -> None:
    text = "unser kassenwart will dat wissen wat kostet die teilnahme an so nem lerncluster"
    assert asking(text) == ["wat kostet die teilnahme an so nem lerncluster"]


def test_a_question_asked_two_ways_stays_one_clause() -> None:
    text = "welches amt bzw welche person ist für die umsetzung der maßnahme 0203 verantwortlich"
    assert asking(text) == [text]
    text = "wann ist das nächste treffen oder wo findet es statt ich hab den termin verpasst"
    assert asking(text) == ["wann ist das nächste treffen oder wo findet es statt"]


def test_saxon_mer_tells_as_wir_does() -> None:
    text = (
        "was kostet denn die teilnahme an nem lerncluster mer haben nämlich nach dem "
        "instrumentenkauf keen cent mehr im fortbildungstopf"
    )
    assert asking(text) == ["was kostet denn die teilnahme an nem lerncluster"]


def test_wo_after_a_noun_and_before_its_subject_is_relative() -> None:
    text = "hat die ne Telefonnummer oder Mail wo ich mich melden kann wegen unsrer Kooperation"
    assert asking(text) == [text]
    # a question's verb comes first: that "wo" asks
    text = (
        "wir waren beim Schulfest an der Grundschule Heidenau wo findet das nächste treffen statt"
    )
    assert asking(text) == ["wo findet das nächste treffen statt"]
    # without the noun's capital, "wo ich" asks ("weiß nicht wo ich …")
    text = "ich hab die Mail gelesen und weiß nicht wo ich mich anmelden kann für das treffen"
    assert asking(text) == ["wo ich mich anmelden kann für das treffen"]


@pytest.mark.parametrize(
    ("text", "question"),
    [
        (
            "bei uns an der grundschule ist eine neue ganztagsleitung und die will mit der "
            "musikschule was starten, in wie viele phasen teilen die folien eine kooperation ein?",
            "in wie viele phasen teilen die folien eine kooperation ein?",
        ),
        (
            "Mein Sohn wechselt im Sommer auf die weiterführende Schule und ich frage mich "
            "einiges, welches Treffen des Verbands behandelt den Übergang?",
            "welches Treffen des Verbands behandelt den Übergang?",
        ),
    ],
)
def test_a_comma_after_the_writers_story_starts_the_question(text: str, question: str) -> None:
    assert asking(text) == [question]


@pytest.mark.parametrize(
    "text",
    [
        # a topic named before the question, not the writer's story: one clause
        "Nora Kaiser vom Fachforum im Juni – mit wem hat sie das Forum eigentlich gestaltet?",
        "Die Kooperationsvereinbarung zwischen Musikschule und Ganztag, was gehört da hinein?",
        # a comma inside the question, no second piece that asks
        "Wie lange dauern die Austauschtreffen, also ungefähr, in der Regel so am Nachmittag?",
    ],
)
def test_a_named_topic_or_an_inner_comma_is_no_story(text: str) -> None:
    cut = clauses(text)
    assert len(cut) == 1


def test_a_reason_after_a_comma_is_not_asked() -> None:
    text = (
        "wie lange dauern die online treffen vom verband ungefähr, weil ich muss das mit der "
        "mittagspause hinkriegen"
    )
    assert asking(text) == ["wie lange dauern die online treffen vom verband ungefähr"]


@pytest.mark.parametrize(
    ("sentence", "story"),
    [
        ("unser kreis ist echt klein, bei uns kennt jeder jeden", True),
        ("ich frag für den nachbarn", True),
        ("meine tochter lacht mich deswegen schon aus", True),
        ("hab die folien nur auf dem handy gesehen", True),
        # a follow-up that asks on, even with the writer's "wir"
        ("Und brauchen wir dafür eine Vereinbarung", False),
        ("wie lange dauert das bei uns dann", False),
        # a follow-up that names more of what is asked
        ("Also auch die Laufzeit", False),
        # what the answer is for
        ("Für die Dienstreiseplanung im Haushaltsjahr.", True),
        ("Wichtig für die Haushaltsplanung.", True),
        ("Die Angabe wird für unsere Verwaltungsvorlage benötigt.", True),
        # … but a follow-up question starting with "für" asks on
        ("Für welche Kommunen gilt das?", False),
        # … and so does one typed without its mark after a purpose word
        ("Zum Beispiel wie hoch die Kosten sind", False),
        ("Wichtig wäre auch wer das bezahlt", False),
        ("", False),
    ],
)
def test_what_follows_a_question_tells_or_asks_on(sentence: str, story: bool) -> None:
    assert clauses_module.tells(sentence) is story


@pytest.mark.parametrize(
    "text",
    [
        ", " * 3000,
        "ich, " * 2000 + "wie viele phasen hat eine kooperation?",
        "– – – " * 500,
        "🎻, " * 100 + "was kostet das?",
        "unsere ogs, " * 300 + "in wie viele phasen, also ungefähr, wird das eingeteilt?",
        ";:,-" * 1000,
    ],
)
def test_strangers_commas_never_break_it(text: str) -> None:
    """Marked pieces are cut, never lost or reordered: the words stay, only the marks
    between clauses go."""
    cut = clauses(text)

    def words(s: str) -> list[str]:
        return re.findall(r"\w+", s)

    assert words(" ".join(clause for clause, _ in cut)) == words(text)


@pytest.mark.parametrize(
    ("text", "asked", "retold"),
    [
        (
            "seit wann gibt es das lerncluster für kreisfreie städte und kreise die rektorin "
            "meinte seit 2020",
            ["seit wann gibt es das lerncluster für kreisfreie städte und kreise"],
            "die rektorin meinte seit 2020",
        ),
        (
            "was kostet die teilnahme an nem lerncluster die rektorin meinte 200 euro pro "
            "person stimmt das??",
            ["was kostet die teilnahme an nem lerncluster", "stimmt das??"],
            "die rektorin meinte 200 euro pro person",
        ),
        (
            "wie viele kommunen müssen mindestens dabei sein die frau von der musikschule "
            "meinte zwei reichen",
            ["wie viele kommunen müssen mindestens dabei sein"],
            "die frau von der musikschule meinte zwei reichen",
        ),
        (
            "bei uns in der schulkonferenz hat jemand erzählt es gab ein online fachforum "
            "irgendwann 2021 glaub ich wann war das genau?",
            ["wann war das genau?"],
            "hat jemand erzählt es gab ein online fachforum irgendwann 2021 glaub ich",
        ),
    ],
)
def test_what_someone_else_said_is_told_not_asked(text: str, asked: list[str], retold: str) -> None:
    """A retold claim ("die rektorin meinte seit 2020") is often half wrong: its year,
    amount or count is not what the member asks for."""
    assert asking(text) == asked
    assert (retold, False) in clauses(text)


@pytest.mark.parametrize(
    "text",
    [
        # inside a question, not a report
        "was hat die rektorin dazu gesagt wie viele kommunen müssen beim lerncluster mitmachen",
        "was ist in der maßnahme 0203 mit dem lernweg genau gemeint und wer macht da mit",
        "welche stadt hat beim fachforum von der basis berichtet und wie hieß das forum",
    ],
)
def test_a_question_about_what_was_said_is_no_report(text: str) -> None:
    assert all(asks for clause, asks in clauses(text) if clause.startswith(("was", "welche")))
    assert not any(
        not asks and clause.split()[0] in ("die", "dem", "der", "hat")
        for clause, asks in clauses(text)
    )

"""The Assemblée nationale's 2016 online consultation « Égalité femmes-hommes ».

The Comité d'évaluation et de contrôle ran it to evaluate the law of 4 August 2014 on
real equality between women and men. Six official JSON files, one per theme (screen
of the questionnaire), hold every respondent's declared sex and chosen answers;
Regards Citoyens published a crowdsourced analysis of the free-text answers (ODbL).

Loaders: ``reponses`` (one row per respondent, question and chosen answer),
``participants`` (one row per respondent and theme), ``questions``, and the
crowdsourcing tables ``analyses_crowdsourcing`` and ``syntheses_crowdsourcing``.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from pathlib import Path

import pandas as pd

from bureau_data.cache import cached_tables
from bureau_data.delimited import read_delimited, to_floats, to_integers
from bureau_data.errors import DataWarning, SchemaError
from bureau_data.fetch import fetch

logger = logging.getLogger(__name__)

_PARSER_VERSION = "1"

# Themes in questionnaire order; the number is the N of the file EGALITE<N>.json.
THEMES: tuple[str, ...] = (
    "Priorités",
    "Place des femmes dans les médias et sur Internet",
    "Partage des responsabilités parentales",
    "Impayés de pensions alimentaires",
    "Violences conjugales",
    "Motivations et avis sur la consultation",
)
THEME_DTYPE = pd.CategoricalDtype(list(THEMES), ordered=True)
SEXES = pd.CategoricalDtype(["Femme", "Homme", "Inconnu"], ordered=True)
RESPONSE_DATASETS: tuple[str, ...] = tuple(f"consultation.egalite.{n}" for n in range(1, 7))
ANALYSES_DATASET = "consultation.crowdsourcing.analyses"
SYNTHESES_DATASET = "consultation.crowdsourcing.syntheses"

RESPONSE_COLUMNS: dict[str, str] = {
    "theme_number": "Int64", "theme": "category", "respondent": "string", "sexe": "category",
    "question_id": "string", "question_number": "Int64", "option_id": "string", "option": "string",
    "precision": "string",
}
PARTICIPANT_COLUMNS: dict[str, str] = {
    "theme_number": "Int64", "theme": "category", "respondent": "string", "sexe": "category",
    "questions_answered": "Int64",
}
QUESTION_COLUMNS: dict[str, str] = {
    "theme_number": "Int64", "theme": "category", "question_id": "string", "question_number": "Int64",
    "text": "string", "open": "bool", "respondents": "Int64",
}

_TAG = re.compile(r"<[^>]+>")
_QUESTION_TITLE = re.compile(r"^Question n°\s*(\d+)$")
_LEADING_NUMBER = re.compile(r"^\d+\.\s*")


def clean_text(text: str | None) -> str | None:
    """Return question text without HTML tags, tabs, a leading ``1.`` or doubled spaces.

    Examples
    --------
    >>> clean_text("1.\\tQuels domaines ? <i>(plusieurs cases)</i>")
    'Quels domaines ? (plusieurs cases)'
    """
    if text is None:
        return None
    text = _TAG.sub("", text).replace("\t", " ")
    text = _LEADING_NUMBER.sub("", text.strip())
    return re.sub(r"\s+", " ", text).strip()


def _records(path: Path) -> list[dict]:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SchemaError(f"{path.name} n'est pas un fichier JSON lisible en UTF-8 : {exc}.", path=path.name) from exc
    if not isinstance(content, list):
        raise SchemaError(
            f"{path.name} : une liste de répondants est attendue, trouvé {type(content).__name__}.",
            path=path.name, found=type(content).__name__,
        )
    return content


def _require(record: dict, key: str, path: Path, where: str) -> object:
    if key not in record:
        raise SchemaError(
            f"{path.name} : champ « {key} » absent ({where}). Champs trouvés : {', '.join(record) or 'aucun'}.",
            path=path.name, field=key, found=", ".join(record),
        )
    return record[key]


def _parse_theme(theme_number: int, path: Path) -> tuple[list[tuple], list[tuple], dict[str, tuple]]:
    answers: list[tuple] = []
    participants: list[tuple] = []
    questions: dict[str, tuple] = {}
    duplicates = 0
    for index, respondent in enumerate(_records(path)):
        respondent_id = str(_require(respondent, "id", path, f"répondant n° {index}"))
        where = f"répondant {respondent_id}"
        sexe = _require(respondent, "sexe", path, where)
        if sexe not in SEXES.categories:
            raise SchemaError(
                f"{path.name} : sexe {sexe!r} inattendu ({where}) ; valeurs attendues : Femme, Homme, Inconnu.",
                path=path.name, field="sexe", found=repr(sexe),
            )
        answered = 0
        respondent_questions = _require(respondent, "questions", path, where)
        if not isinstance(respondent_questions, list):
            raise SchemaError(
                f"{path.name} : « questions » doit être une liste ({where}), trouvé "
                f"{type(respondent_questions).__name__}.", path=path.name, field="questions",
            )
        for question in respondent_questions:
            question_id = str(_require(question, "id", path, where))
            title = str(_require(question, "titreQuestion", path, where))
            match = _QUESTION_TITLE.match(title.strip())
            if match is None:
                raise SchemaError(
                    f"{path.name} : titre de question {title!r} inattendu ({where}) ; attendu « Question n° N ».",
                    path=path.name, field="titreQuestion", found=title,
                )
            number = int(match.group(1))
            # « Reponse » is absent or null when the respondent skipped the question.
            chosen = question.get("Reponse") or []
            seen: set[tuple] = set()
            for item in chosen:
                criterion = item.get("critere") or {}
                key = (str(criterion.get("id")), criterion.get("texte"), criterion.get("precision"))
                if key in seen:
                    duplicates += 1  # the same option recorded twice for one respondent
                    continue
                seen.add(key)
                answers.append((theme_number, respondent_id, sexe, question_id, number, *key))
            answered += bool(chosen)
            if question_id not in questions:
                questions[question_id] = (theme_number, question_id, number, clean_text(question.get("texte")))
        participants.append((theme_number, respondent_id, sexe, answered))
    if duplicates:
        warnings.warn(
            f"{path.name} : {duplicates} réponse(s) enregistrée(s) deux fois pour le même répondant "
            "et la même option, comptée(s) une fois.", DataWarning, stacklevel=2,
        )
    return answers, participants, questions


def _with_theme(df: pd.DataFrame) -> pd.DataFrame:
    df["theme_number"] = df["theme_number"].astype("Int64")
    df["theme"] = pd.Categorical.from_codes(df["theme_number"].astype(int) - 1, dtype=THEME_DTYPE)
    return df


def _build_responses(paths: list[Path]) -> dict[str, pd.DataFrame]:
    answers: list[tuple] = []
    participants: list[tuple] = []
    questions: dict[str, tuple] = {}
    for theme_number, path in enumerate(paths, start=1):
        theme_answers, theme_participants, theme_questions = _parse_theme(theme_number, path)
        answers += theme_answers
        participants += theme_participants
        questions.update(theme_questions)

    responses = pd.DataFrame(answers, columns=["theme_number", "respondent", "sexe", "question_id",
                                               "question_number", "option_id", "option", "precision"])
    responses = _with_theme(responses)
    for column in ("respondent", "question_id", "option_id", "option", "precision"):
        responses[column] = responses[column].astype("string")
    responses["sexe"] = responses["sexe"].astype(SEXES)
    responses["question_number"] = responses["question_number"].astype("Int64")
    responses = responses[list(RESPONSE_COLUMNS)]

    people = pd.DataFrame(participants, columns=["theme_number", "respondent", "sexe", "questions_answered"])
    people = _with_theme(people)
    people["respondent"] = people["respondent"].astype("string")
    people["sexe"] = people["sexe"].astype(SEXES)
    people["questions_answered"] = people["questions_answered"].astype("Int64")
    people = people[list(PARTICIPANT_COLUMNS)]

    table = pd.DataFrame(list(questions.values()), columns=["theme_number", "question_id", "question_number", "text"])
    table = _with_theme(table)
    open_questions = responses["option"].isna().groupby(responses["question_id"]).all()
    counts = responses.groupby("question_id")["respondent"].nunique()
    table["open"] = table["question_id"].map(open_questions).fillna(False).astype(bool)
    table["respondents"] = table["question_id"].map(counts).fillna(0).astype("Int64")
    for column in ("question_id", "text"):
        table[column] = table[column].astype("string")
    table["question_number"] = table["question_number"].astype("Int64")
    table = table.sort_values("question_number", ignore_index=True)[list(QUESTION_COLUMNS)]
    return {"reponses": responses, "participants": people, "questions": table}


def _response_tables() -> dict[str, pd.DataFrame]:
    fetched = [fetch(dataset) for dataset in RESPONSE_DATASETS]
    return cached_tables("consultation-egalite", _PARSER_VERSION, [f.record for f in fetched],
                         lambda: _build_responses([f.path for f in fetched]))


def reponses() -> pd.DataFrame:
    """Load the answers: one row per respondent, question and chosen option.

    Returns
    -------
    DataFrame
        ===============  ==========  ========================================================
        theme_number     Int64       1 to 6, the questionnaire screen (file EGALITE<N>)
        theme            category    theme title, ordered as in the questionnaire (``THEMES``)
        respondent       string      respondent id (the same person keeps it across themes)
        sexe             category    declared sex: ``Femme``, ``Homme``, ``Inconnu``
        question_id      string      question id in the source (``"7"`` for question 1)
        question_number  Int64       question number, 1 to 38
        option_id        string      id of the chosen option within the question
        option           string      option label; NA for an open (free-text) question
        precision        string      free text: answer to an open question, or detail
                                     given with an « Autre » option; NA otherwise
        ===============  ==========  ========================================================

    Notes
    -----
    Skipped questions have no row; ``participants()`` counts every respondent of a
    theme, with or without answers. A multiple-choice question gives one row per
    option chosen. The same option recorded twice for one respondent (313 times in the
    six files) is kept once, with a ``DataWarning`` when the files are parsed.

    Examples
    --------
    >>> df = reponses()
    >>> df[df.question_number == 1].respondent.nunique()
    901
    """
    return _response_tables()["reponses"]


def participants() -> pd.DataFrame:
    """Load the respondents: one row per respondent and theme.

    Returns
    -------
    DataFrame
        Columns ``theme_number`` (Int64), ``theme`` (ordered category), ``respondent``
        (string), ``sexe`` (category ``Femme``/``Homme``/``Inconnu``) and
        ``questions_answered`` (Int64, questions of the theme with at least one answer;
        0 for a respondent who opened the screen and answered nothing).

    Examples
    --------
    >>> participants().groupby("theme_number").size().tolist()
    [901, 936, 875, 842, 838, 835]
    """
    return _response_tables()["participants"]


def questions() -> pd.DataFrame:
    """Load the 38 questions with their theme and text.

    Returns
    -------
    DataFrame
        Columns ``theme_number``, ``theme``, ``question_id``, ``question_number``,
        ``text`` (string, without HTML tags), ``open`` (bool, True for a free-text
        question) and ``respondents`` (Int64, respondents who answered it).

    Examples
    --------
    >>> df = questions()
    >>> len(df), int(df["open"].sum())
    (38, 5)
    >>> df.groupby("theme_number").size().tolist()
    [1, 9, 10, 5, 9, 4]
    """
    return _response_tables()["questions"]


# --- Crowdsourced analysis (Regards Citoyens) ---------------------------------------------------

# Source column -> loader column: share of the crowd's readers who put the
# contribution in each category (0 to 1).
_ANALYSIS_CATEGORIES: dict[str, str] = {
    "analyse ou proposit°": "analyse_ou_proposition",
    "nouvelles mesures": "nouvelles_mesures",
    "pour 1 mesure": "pour_une_mesure",
    "contre 1 mesure": "contre_une_mesure",
    "description pb": "description_probleme",
    "analyse des causes": "analyse_des_causes",
    "XP personnelle": "experience_personnelle",
    "questions": "questions",
    "original": "original",
}
AFFIRMATIONS = pd.CategoricalDtype([
    "des analyses ou proposition d'ordre général",
    "des propositions de nouvelles mesures",
    "des prises de position contre une mesure existante",
    "une description d'un problème",
    "une analyse des causes du problème",
    "l'évocation d'expérience(s) personnelle(s)",
    "des questions ou demandes d'information",
])


def _split_source(df: pd.DataFrame, name: str) -> pd.DataFrame:
    # ``source`` is "<respondent id>/<question id>" of the answer in the JSON files.
    parts = df["source"].str.rsplit("/", n=1, expand=True)
    if parts.shape[1] != 2 or parts[1].isna().any():
        raise SchemaError(f"{name} : colonne « source » : « <répondant>/<question> » attendu.",
                          path=name, field="source")
    df["respondent"] = parts[0].astype("string")
    df["question_id"] = parts[1].astype("string")
    return df


def _build_analyses(path: Path) -> dict[str, pd.DataFrame]:
    name = path.name
    required = ["document_id", "question", "source", "text", "theme", "usage", *_ANALYSIS_CATEGORIES]
    df = read_delimited(path, required=required, name=name, separator=",")[required].copy()
    to_integers(df, ["document_id", "theme"], name=name)
    to_floats(df, ["usage", *_ANALYSIS_CATEGORIES], name=name)
    df = df.rename(columns={**_ANALYSIS_CATEGORIES, "theme": "theme_number", "question": "question_text"})
    df = _with_theme(_split_source(df, name))
    for column in ("question_text", "text", "source"):
        df[column] = df[column].astype("string")
    columns = ["document_id", "theme_number", "theme", "respondent", "question_id", "question_text", "text",
               "usage", *_ANALYSIS_CATEGORIES.values()]
    return {"analyses": df[columns].sort_values("document_id", ignore_index=True)}


def _build_syntheses(path: Path) -> dict[str, pd.DataFrame]:
    name = path.name
    required = ["document_id", "question", "source", "text", "theme", "synthese", "affirmation"]
    df = read_delimited(path, required=required, name=name, separator=",")[required].copy()
    to_integers(df, ["document_id", "theme"], name=name)
    df = df.rename(columns={"theme": "theme_number", "question": "question_text"})
    df = _with_theme(_split_source(df, name))
    unknown = sorted(set(df["affirmation"].dropna()) - set(AFFIRMATIONS.categories))
    if unknown:
        raise SchemaError(f"{name} : type d'affirmation inattendu : {', '.join(unknown)}.",
                          path=name, field="affirmation", found=", ".join(unknown))
    df["affirmation"] = df["affirmation"].astype(AFFIRMATIONS)
    for column in ("question_text", "text", "synthese"):
        df[column] = df[column].astype("string")
    columns = ["document_id", "theme_number", "theme", "respondent", "question_id", "question_text", "text",
               "synthese", "affirmation"]
    return {"syntheses": df[columns]}


def analyses_crowdsourcing() -> pd.DataFrame:
    """Load Regards Citoyens' crowdsourced classification of the free-text answers.

    Returns
    -------
    DataFrame
        One row per analysed contribution (787): ``document_id`` (Int64),
        ``theme_number`` (Int64, 2 to 5), ``theme`` (category), ``respondent`` and
        ``question_id`` (string, linking to ``reponses()``), ``question_text``, ``text``
        (string), ``usage`` (float64, usefulness score given by the readers), and, as
        float64 shares of the readers (0 to 1) who put the text in each category:
        ``analyse_ou_proposition``, ``nouvelles_mesures``, ``pour_une_mesure``,
        ``contre_une_mesure``, ``description_probleme``, ``analyse_des_causes``,
        ``experience_personnelle``, ``questions``, ``original``.

    Notes
    -----
    Only the open questions of themes 2 to 5 were analysed. ``question_text`` lost its
    apostrophes in the source (``dautres``, ``limage``); use ``questions()`` for the
    official wording.

    Examples
    --------
    >>> df = analyses_crowdsourcing()
    >>> len(df), sorted(df["theme_number"].unique().tolist())
    (787, [2, 3, 4, 5])
    """
    fetched = fetch(ANALYSES_DATASET)
    return cached_tables("consultation-analyses", _PARSER_VERSION, [fetched.record],
                         lambda: _build_analyses(fetched.path))["analyses"]


def syntheses_crowdsourcing() -> pd.DataFrame:
    """Load the one-sentence summaries (synthèses) written by the crowd for each contribution.

    Returns
    -------
    DataFrame
        One row per summary (1 808): ``document_id`` (Int64), ``theme_number``,
        ``theme``, ``respondent``, ``question_id``, ``question_text``, ``text`` (the
        contribution), ``synthese`` (string, the summary) and ``affirmation`` (category:
        the kind of statement the summary makes).

    Examples
    --------
    >>> df = syntheses_crowdsourcing()
    >>> len(df), df["affirmation"].value_counts().index[0]
    (1808, "des analyses ou proposition d'ordre général")
    """
    fetched = fetch(SYNTHESES_DATASET)
    return cached_tables("consultation-syntheses", _PARSER_VERSION, [fetched.record],
                         lambda: _build_syntheses(fetched.path))["syntheses"]

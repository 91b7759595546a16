"""Cues that answer an item without the knowledge it tests: the test-wise reading of the bank.

A bank passes when no cue beats knowledge. The figures, per module and overall
(`cue_figures`), and the limits `quizzes.quality` enforces:

- **Test-wise score** of single-answer items (mcq), by each cue alone: pick the
  longest option; pick the most hedged option over the absolute ones; pick the
  option sharing most words with the stem. A tie among k options gives 1/k
  credit when the key is among them. The best cue must stay within chance + 10
  points (`TESTWISE_MARGIN`).
- **Key length**: no key longer than 1.3x its longest distractor
  (`KEY_RATIO_LIMIT`) unless the item says why (`long_key_reason`).
- **True/false tone**: read a hedged or nuanced statement as True and an
  absolute or alarmist one as False; this reading must score at most 60 %
  (`TONE_LIMIT`), or the tone answers the item.

The tone words extend the reviewers' throwaway script: besides hedges and
absolutes, a test-wise reader takes contrasts and limits on a claim ("but",
"cannot show", "rather than") as balance, and alarm or overclaiming
("dangerous", "easily", "has been shown", "the best way") as a false note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from quizzes.questions import ChoiceQuestion, Question, TrueFalseQuestion

TESTWISE_MARGIN = 0.10
KEY_RATIO_LIMIT = 1.3
TONE_LIMIT = 0.60
CUES = ("longest", "hedged", "overlap")

HEDGES = re.compile(
    r"\b(usually|can|could|may|might|often|sometimes|some|most|many|rarely|typically|generally|likely|unlikely|"
    r"tends?|mostly|mainly|probably|possible|possibly|not always|seldom|uncommon|rare|occasionally|about|around|"
    r"few|several)\b", re.IGNORECASE)
NUANCE = re.compile(
    r"\b(cannot show|can't show|does not show|doesn't show|not how|not always|on its own|though|although|but|"
    r"rather than|reasonable|illustrates?|shares? the|still|even (after|from|if|when)|out of proportion|"
    r"says nothing)\b", re.IGNORECASE)
ABSOLUTES = re.compile(
    r"\b(always|never|proven|proves?|reliably|guarantees?|guaranteed|every|all|none|only|completely|entirely|must|"
    r"no one|nothing|certainly|definitely|totally|impossible|immediately|forever|permanent|permanently)\b",
    re.IGNORECASE)
ALARM = re.compile(
    r"\b(dangerous|risky|highly|fragile|easily|safest|best way|the way to|has to|have to|as hard as|"
    r"(has|have) been shown|shown by research|established|evidence that|shows that|commonly|common result|"
    r"already been|no action|by itself|a sign (of|that)|firmly|push through)\b", re.IGNORECASE)
STOP = frozenset("the a an of to in on and or is are be for with what which when how your you this that it its as at "
                 "by from do does not client clients therapist".split())


def words(text: str) -> frozenset[str]:
    """The telling words of `text`: lowercase, three letters or more, stop words dropped."""
    return frozenset(w for w in re.findall(r"[a-z]+", text.lower()) if w not in STOP and len(w) > 2)


def tone(text: str) -> int:
    """+1 when `text` reads hedged or nuanced, -1 absolute or alarmist, 0 neither."""
    hedged = len(HEDGES.findall(text)) + len(NUANCE.findall(text))
    absolute = len(ABSOLUTES.findall(text)) + len(ALARM.findall(text))
    return (hedged > absolute) - (absolute > hedged)


def pick_score(values: list[float], key_index: int) -> float:
    """Credit for picking the largest value: 1/k if the key is among k tied maxima, else 0."""
    best = max(values)
    tied = [i for i, value in enumerate(values) if value == best]
    return 1 / len(tied) if key_index in tied else 0.0


def cue_credits(question: ChoiceQuestion) -> dict[str, float]:
    """What each cue scores on one single-answer item (0..1 per cue)."""
    texts = [option.text for option in question.options]
    key = next(i for i, option in enumerate(question.options) if option.correct)
    stem = words(question.stem)
    return {
        "longest": pick_score([float(len(text)) for text in texts], key),
        "hedged": pick_score([float(tone(text)) for text in texts], key),
        "overlap": pick_score([float(len(words(text) & stem)) for text in texts], key),
    }


def key_ratio(question: ChoiceQuestion) -> float:
    """Length of the key over its longest distractor's (single-answer items)."""
    key = max(len(o.text) for o in question.options if o.correct)
    return key / max(len(o.text) for o in question.options if not o.correct)


def tone_credit(question: TrueFalseQuestion) -> float:
    """What the tone reading scores on one statement: 1 right, 0 wrong, 0.5 when the tone says nothing."""
    reading = tone(question.stem)
    return 0.5 if reading == 0 else float((reading > 0) == question.answer)


@dataclass
class CueFigures:
    """Sums over a group of items (a module, or the bank), from which the shares follow."""

    mcq: int = 0
    chance: float = 0.0
    cues: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CUES, 0.0))
    ratio_max: float = 0.0
    ratio_over: list[str] = field(default_factory=list)  # ids over the limit without a reason
    truefalse: int = 0
    tone: float = 0.0

    def add(self, question: Question, long_key_reason: bool) -> None:
        """Count one item in."""
        if isinstance(question, ChoiceQuestion) and question.type == "mcq":
            self.mcq += 1
            self.chance += 1 / len(question.options)
            for cue, credit in cue_credits(question).items():
                self.cues[cue] += credit
            ratio = key_ratio(question)
            self.ratio_max = max(self.ratio_max, ratio)
            # Only an author can shorten a key or give a reason; a generated
            # item's options are the table's own place names, counted in the cues.
            if ratio > KEY_RATIO_LIMIT and not long_key_reason and question.origin == "authored":
                self.ratio_over.append(question.id)
        elif isinstance(question, TrueFalseQuestion):
            self.truefalse += 1
            self.tone += tone_credit(question)

    def merge(self, other: CueFigures) -> None:
        """Add another group's sums to this one."""
        self.mcq += other.mcq
        self.chance += other.chance
        for cue in CUES:
            self.cues[cue] += other.cues[cue]
        self.ratio_max = max(self.ratio_max, other.ratio_max)
        self.ratio_over.extend(other.ratio_over)
        self.truefalse += other.truefalse
        self.tone += other.tone

    def share(self, cue: str) -> float:
        """A cue's score over single-answer items."""
        return self.cues[cue] / self.mcq if self.mcq else 0.0

    @property
    def chance_share(self) -> float:
        """The score of a blind guess."""
        return self.chance / self.mcq if self.mcq else 0.0

    @property
    def best_cue(self) -> str:
        """The cue that scores best (the test-wise learner's choice)."""
        return max(CUES, key=self.share)

    @property
    def testwise(self) -> float:
        """The best cue's score."""
        return self.share(self.best_cue)

    @property
    def testwise_over(self) -> bool:
        """True when a cue beats chance by more than the margin."""
        return self.mcq > 0 and self.testwise > self.chance_share + TESTWISE_MARGIN + 1e-9

    @property
    def tone_share(self) -> float:
        """The tone reading's score on true/false items."""
        return self.tone / self.truefalse if self.truefalse else 0.0

    @property
    def tone_over(self) -> bool:
        """True when tone answers true/false items more often than the limit allows."""
        return self.truefalse > 0 and self.tone_share > TONE_LIMIT + 1e-9

    def line(self) -> str:
        """The figures on one line, as `check` prints them."""
        cues = ", ".join(f"{cue} {self.share(cue):.0%}" for cue in CUES)
        return (f"test-wise {self.testwise:.0%} vs chance {self.chance_share:.0%} (limit "
                f"{self.chance_share + TESTWISE_MARGIN:.0%}; {cues}; {self.mcq} mcq); key/longest distractor "
                f"max {self.ratio_max:.2f}, {len(self.ratio_over)} over {KEY_RATIO_LIMIT}; true/false tone "
                f"{self.tone_share:.0%} (limit {TONE_LIMIT:.0%}; {self.truefalse} items)")


def cue_figures(questions: list[Question], long_key_reasons: set[str]) -> CueFigures:
    """The cue figures of a group of items; `long_key_reasons` holds ids whose long key is explained."""
    figures = CueFigures()
    for question in questions:
        figures.add(question, question.id in long_key_reasons)
    return figures


def giveaway(question: Question, cue: str) -> bool:
    """True when `cue` alone picks this item's key with full credit (to name it when a limit breaks)."""
    if isinstance(question, ChoiceQuestion) and question.type == "mcq":
        return cue_credits(question)[cue] == 1.0
    return False

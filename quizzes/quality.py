"""Item-writing checks over the whole bank: what makes it fit for graded tests.

`review(bank)` returns a `Report` with the figures `massage-course check`
prints and the findings it reports. The rules, and why:

- **Near-duplicates** (`quizzes.similarity`): a fact is asked once; pairs an
  author declared with `variant_of` / `distinct_from` are listed, not reported.
- **Generated give-aways**: a generated prompt must not share a word stem with
  its correct option ("axillary" -> Axilla), nor a matching pair its two sides.
- **True/false balance**: between 40 % and 60 % of true/false items keyed True,
  or "false" becomes a winning guess.
- **Absolute words** ("always", "never", "proven"...) in a statement keyed
  False, or in a wrong option, are a warning: test-wise learners rule them out
  unread.
- **Attribution cap**: at most 5 % of the bank's items may test who said what
  (a case, report, survey or comments, "a published case", a dated study, a
  named author, "according to") rather than practice. A prompt that needs the
  course around it ("this lesson", "the article", "the course's source") is an
  error on its own: the item must stand alone in Anki or an exam.
- **Cues** (`quizzes.cues`): per module, no cue may beat chance by more than 10
  points, tone may not answer true/false items, and no key may be longer than
  1.3x its longest distractor without a `long_key_reason`.
- **Plausible generated distractors**: a wrong structure is of a kind among the
  key's and lies in the same half of the body; a wrong site lies in the same
  half (`quizzes.matching.half_of`): no sciatic nerve under the earlobe.
- **Objectives**: every module declares its objectives; the figures count them,
  items per objective and sibling groups (the loader checks the references).
- **Review ledger** (`quizzes.ledger`): an item changed since its last review is
  an error; unreviewed items are counted.
- **Scenario items** are counted (clinical vignettes, `scenario: true`).

Errors make `check` fail; warnings are printed and shown on the review sheet.
Everything here is pure: the bank in, the report out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from quizzes.bank import Bank
from quizzes.facts import shares_stem
from quizzes.fitness import Fitness, assess
from quizzes.questions import ChoiceQuestion, ClozeQuestion, MatchingQuestion, Question, TrueFalseQuestion
from quizzes.similarity import groups, near_duplicate_pairs

TRUE_SHARE = (0.40, 0.60)
MIN_TRUEFALSE = 10  # below this a share means little (small test courses)
ATTRIBUTION_CAP = 0.05
ABSOLUTE_WORDS = ("always", "never", "proven", "proves", "prove", "reliably", "guarantee", "guarantees",
                  "guaranteed", "every", "all", "none", "only", "completely", "entirely", "cannot", "must")
ABSOLUTE = re.compile(r"\b(" + "|".join(ABSOLUTE_WORDS) + r")\b", re.IGNORECASE)
# In options "only" mostly narrows a technique ("work only the back of the neck")
# rather than overclaiming, so wrong options are checked without it.
OPTION_ABSOLUTE = re.compile(r"\b(" + "|".join(w for w in ABSOLUTE_WORDS if w != "only") + r")\b", re.IGNORECASE)
# Who found or said what: a case, a report, comments, a dated study, a named
# author ("Cambron (2007)", "in Ingraham's view"), an author described instead of
# named ("a former massage therapist argues"), "according to".
ATTRIBUTION = re.compile(
    r"\baccording to\b|\bthe (case|report|author|survey|review|study|news item|comments?|reader comments?)\b"
    r"|\ba published case\b|\b(19|20)\d\d\b|\b[A-Z][a-z]+ (and [A-Z][a-z]+ )?\((19|20)\d\d\)"
    r"|\b(?-i:[A-Z][a-z]+)'s (view|account|article|words)\b"
    # An author named by what they are rather than by name ("a former massage therapist argues").
    r"|\b(a|an|one) (former |practising |well-known )?(massage )?(therapist|writer|author|expert|researcher|commenter|reader)"
    r"( who [a-z ]+?)?,? (argues|writes|says|claims|reports|tells|calls|believes|thinks)\b", re.IGNORECASE)
# A prompt that only makes sense beside the course text.
COURSE_BOUND = re.compile(r"\b(this (lesson|course|module|article)|the course'?s?|the lesson|the article)\b",
                          re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Finding:
    """One thing a reviewer should know about an item; errors fail `check`."""

    where: str  # "path:line" of the item (its facts row for a generated item), else its id
    item: str
    severity: str  # "error" | "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.item}: {self.message}"


@dataclass
class Report:
    """The figures and findings of one review of a bank."""

    by_module_type: dict[str, Counter[str]]
    duplicate_groups: list[tuple[str, ...]]  # undeclared near-duplicates
    declared_groups: list[tuple[str, ...]]  # declared with variant_of / distinct_from
    attribution: dict[str, list[str]]  # module -> ids of attribution items
    module_sizes: dict[str, int]
    truefalse: dict[str, tuple[int, int]]  # module -> (keyed True, all)
    scenarios: dict[str, list[str]]  # module -> scenario item ids
    findings: list[Finding] = field(default_factory=list)
    # module id (and "all") -> objectives, cues and review-ledger figures
    fitness: dict[str, Fitness] = field(default_factory=dict)

    @property
    def errors(self) -> list[Finding]:
        """Findings that make the bank unfit (check exits 1)."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """Findings for a reviewer's judgement."""
        return [f for f in self.findings if f.severity == "warning"]

    def of(self, item_id: str) -> list[Finding]:
        """The findings about one item."""
        return [f for f in self.findings if f.item == item_id or item_id in f.message.split()]

    @property
    def attribution_share(self) -> float:
        """Attribution items over all items."""
        total = sum(self.module_sizes.values())
        return sum(len(v) for v in self.attribution.values()) / total if total else 0.0

    @property
    def true_share(self) -> float:
        """True/false items keyed True over all true/false items."""
        true, total = (sum(values) for values in zip(*self.truefalse.values())) if self.truefalse else (0, 0)
        return true / total if total else 0.0

    def lines(self) -> list[str]:
        """The figures, as `check` prints them."""
        out = ["quality:"]
        for module, counts in self.by_module_type.items():
            kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(counts.items()))
            out.append(f"  {module}: {sum(counts.values())} items ({kinds})")
        members = sum(len(g) for g in self.duplicate_groups)
        out.append(f"  near-duplicate groups: {len(self.duplicate_groups)} ({members} items); "
                   f"declared: {len(self.declared_groups)}")
        total_attr = sum(len(v) for v in self.attribution.values())
        per = ", ".join(f"{m} {len(v)}/{self.module_sizes[m]}" for m, v in self.attribution.items())
        out.append(f"  attribution: {total_attr} items ({self.attribution_share:.1%}); by module: {per}")
        true, total = (sum(values) for values in zip(*self.truefalse.values())) if self.truefalse else (0, 0)
        per = ", ".join(f"{m} {t}/{n}" for m, (t, n) in self.truefalse.items())
        out.append(f"  true/false keyed True: {true}/{total} ({self.true_share:.0%}); by module: {per}")
        per = ", ".join(f"{m} {len(v)}" for m, v in self.scenarios.items())
        out.append(f"  scenario items: {sum(len(v) for v in self.scenarios.values())}; by module: {per}")
        for name, figures in self.fitness.items():
            out.extend(f"  {name}: {line}" for line in figures.lines())
        out.append(f"  warnings: {len(self.warnings)}, errors: {len(self.errors)}")
        return out


def review(bank: Bank) -> Report:
    """Run every item-writing check over `bank`."""
    course = bank.course
    authored = {question.id: question for question in course.questions}
    modules = [module.id for module in course.modules]
    by_module_type: dict[str, Counter[str]] = {m: Counter() for m in modules}
    attribution: dict[str, list[str]] = {m: [] for m in modules}
    truefalse: dict[str, tuple[int, int]] = {}
    scenarios: dict[str, list[str]] = {m: [] for m in modules}
    findings: list[Finding] = []

    def where(question: Question) -> str:
        if question.id in course.locations:
            return course.locations[question.id]
        return next((course.locations[s] for s in question.sites if s in course.locations), question.id)

    vocabulary = {topic.id for topic in course.topics}
    authors = course_authors(bank)
    for question in bank:
        unknown = [tag for tag in question.tags if vocabulary and tag not in vocabulary]
        if unknown:  # authored tags are checked by the loader; this catches generators
            findings.append(Finding(where(question), question.id, "error",
                                    "tags outside the topic vocabulary: " + ", ".join(unknown)))
        by_module_type.setdefault(question.module, Counter())[question.type] += 1
        if is_attribution(question, authors):
            attribution.setdefault(question.module, []).append(question.id)
        if bound := course_bound(question):
            findings.append(Finding(where(question), question.id, "error",
                                    f"the prompt needs the course around it ('{bound}'): make it stand alone"))
        item = authored.get(question.id)
        if item is not None and item.scenario:
            scenarios.setdefault(question.module, []).append(question.id)
        if isinstance(question, TrueFalseQuestion):
            true, total = truefalse.get(question.module, (0, 0))
            truefalse[question.module] = (true + question.answer, total + 1)
            if not question.answer and (word := ABSOLUTE.search(question.stem.removeprefix("True or false:"))):
                findings.append(Finding(where(question), question.id, "warning",
                                        f"false statement hinges on the absolute word '{word.group(0)}'"))
        if isinstance(question, ChoiceQuestion):
            for option in question.options:
                if not option.correct and (word := OPTION_ABSOLUTE.search(option.text)):
                    findings.append(Finding(where(question), question.id, "warning",
                                            f"wrong option '{option.id}' hinges on the absolute word '{word.group(0)}'"))
        if question.origin == "generated":
            findings.extend(Finding(where(question), question.id, "error", message) for message in giveaways(question))

    declared = _declared_pairs(course)
    for pair in declared:
        for other in pair - {item for item in pair if item in authored}:
            if other not in bank:  # a generated id the loader could not check
                owner = next(iter(pair - {other}), other)
                findings.append(Finding(course.locations.get(owner, owner), owner, "error",
                                        f"declares a link to '{other}', which is not in the bank"))
    found = [(p.first, p.second) for p in near_duplicate_pairs(bank)]
    undeclared = [pair for pair in found if frozenset(pair) not in declared]
    duplicate_groups = groups(undeclared)
    for group in duplicate_groups:
        first = bank.get(group[0])
        findings.append(Finding(where(first) if first else group[0], group[0], "error",
                                "near-duplicate of " + " ".join(group[1:])
                                + " (keep one, make each test a different fact, or declare variant_of/distinct_from)"))

    sizes = {m: sum(c.values()) for m, c in by_module_type.items()}
    attributed = [item for ids in attribution.values() for item in ids]
    if len(attributed) > ATTRIBUTION_CAP * len(bank):
        findings.append(Finding("bank", "attribution", "error",
                                f"{len(attributed)} of {len(bank)} items test attribution "
                                f"(cap {ATTRIBUTION_CAP:.0%} of the bank)"))
        for item_id in attributed:
            attributed_item = bank.get(item_id)
            if attributed_item is not None:
                findings.append(Finding(where(attributed_item), item_id, "error",
                                        "tests attribution (who found or said what); counts towards the cap"))
    fitness, problems, warned = assess(bank, where)
    findings.extend(Finding(place, item, "error", message) for place, item, message in problems)
    findings.extend(Finding(place, item, "warning", message) for place, item, message in warned)
    true, total = (sum(values) for values in zip(*truefalse.values())) if truefalse else (0, 0)
    if total >= MIN_TRUEFALSE and not TRUE_SHARE[0] <= true / total <= TRUE_SHARE[1]:
        findings.append(Finding("bank", "truefalse", "error",
                                f"{true} of {total} true/false items keyed True ({true / total:.0%}); "
                                f"keep it within {TRUE_SHARE[0]:.0%}-{TRUE_SHARE[1]:.0%}"))
    return Report(
        by_module_type=by_module_type,
        duplicate_groups=duplicate_groups,
        declared_groups=groups((min(pair), max(pair)) for pair in declared),
        attribution=attribution,
        module_sizes=sizes,
        truefalse=truefalse,
        scenarios=scenarios,
        findings=sorted(findings),
        fitness=fitness,
    )


def course_authors(bank: Bank) -> frozenset[str]:
    """Surnames of the bibliography's authors ("Ingraham", "Cambron"...)."""
    names: set[str] = set()
    for source in bank.course.sources:
        if source.evidence.value in {"news", "unreferenced"} and source.authors[0].startswith("Unsigned"):
            continue  # "Unsigned news item" names nobody
        for author in source.authors:
            # "Paul Ingraham" and "Cambron JA": every capitalised word that is not a run of initials.
            names.update(word for word in author.replace(",", " ").split()
                         if len(word) >= 3 and word.isalpha() and word[:1].isupper() and not word.isupper())
    return frozenset(names)


def _prompt(question: Question) -> str:
    texts = [question.stem]
    if isinstance(question, ClozeQuestion):
        texts.append(question.text)
    if isinstance(question, MatchingQuestion):
        texts.extend(f"{pair.left} {pair.right}" for pair in question.pairs)
    return " ".join(texts)


def is_attribution(question: Question, authors: frozenset[str]) -> bool:
    """True when the prompt asks who said or found what: a case, report, comments, a dated study, an author."""
    text = _prompt(question)
    if ATTRIBUTION.search(text):
        return True
    return any(re.search(rf"\b{re.escape(name)}\b", text) for name in authors)


def course_bound(question: Question) -> str:
    """The words that tie the prompt to the course around it ("this lesson"), or ""."""
    found = COURSE_BOUND.search(_prompt(question))
    return found.group(0) if found else ""


def giveaways(question: Question) -> list[str]:
    """Ways a generated item hands over its answer through shared word stems."""
    problems = []
    if isinstance(question, ChoiceQuestion):
        for option in question.options:
            if option.correct and shares_stem(question.stem, option.text):
                problems.append(f"correct option '{option.text}' shares a word stem with the prompt")
    if isinstance(question, MatchingQuestion):
        for pair in question.pairs:
            if shares_stem(pair.left, pair.right):
                problems.append(f"pair '{pair.left}' = '{pair.right}' shares a word stem")
    return problems


def _declared_pairs(course: object) -> set[frozenset[str]]:
    pairs: set[frozenset[str]] = set()
    for item in getattr(course, "questions", []):
        if item.variant_of:
            pairs.add(frozenset((item.id, item.variant_of)))
        for other in item.distinct_from:
            pairs.add(frozenset((item.id, other)))
    return pairs

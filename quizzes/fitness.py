"""Per-module figures and limits: objectives, cues, generated distractors, the review ledger.

`assess(bank, where)` gives each module's `Fitness` (and the bank's, as "all")
and the problems `quizzes.quality` reports as findings. The rules:

- A module declares its objectives (`kind: objectives`); the loader checks that
  each item names one of its own module's, once the module has them.
- Cue limits (`quizzes.cues`), per module: the best cue within chance + 10
  points, the true/false tone reading at most 60 %, no key over 1.3x its longest
  distractor without `long_key_reason`. When a module's limit breaks, every item
  the cue answers outright is named, at its own line.
- A generated distractor is as plausible as the key: a structure of a kind
  among the key's, exposed in the same half of the body; a site in the same half.
- A review whose digest no longer matches the item is stale: an error (the ledger
  cannot go stale). An item whose latest verdict is `fail` and that still reads
  as it did is a warning, printed and on the review sheet, until it is rewritten
  (then stale: reviewed again) or retired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from quizzes.bank import Bank
from quizzes.cues import CUES, CueFigures, cue_figures, giveaway, tone_credit
from quizzes.facts import SiteFacts
from quizzes.ledger import LedgerFigures, latest, status
from quizzes.matching import half_of
from quizzes.questions import ChoiceQuestion, Question, TrueFalseQuestion

Problem = tuple[str, str, str]  # where, item, message (always an error)


@dataclass
class Fitness:
    """One module's (or the bank's) objective, cue and review figures."""

    objectives: int = 0  # declared
    items: int = 0
    with_objective: int = 0
    tested: set[str] = field(default_factory=set)  # objectives some item tests (declared or generated)
    sibling_groups: int = 0
    cues: CueFigures = field(default_factory=CueFigures)
    ledger: LedgerFigures = field(default_factory=LedgerFigures)

    def lines(self) -> list[str]:
        """The figures, two lines."""
        per = self.with_objective / len(self.tested) if self.tested else 0.0
        return [
            f"objectives {self.objectives} declared, {len(self.tested)} tested; {self.with_objective}/{self.items} "
            f"items name one ({per:.1f} per objective); sibling groups {self.sibling_groups}; {self.ledger.line()}",
            self.cues.line(),
        ]


def assess(bank: Bank, where: Callable[[Question], str]) -> tuple[dict[str, Fitness], list[Problem], list[Problem]]:
    """Every module's figures (and "all"), the problems (errors) and the warnings found (see the module docstring)."""
    course = bank.course
    reasons = {item.id for item in course.questions if item.long_key_reason}
    reviews = latest(course.reviews)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    result: dict[str, Fitness] = {}
    for module in course.modules:
        items = list(bank.by_module(module.id))
        fit = Fitness(objectives=sum(m == module.id for m in course.objective_modules.values()), items=len(items),
                      cues=cue_figures(items, reasons))
        if not fit.objectives:
            problems.append((module.id, module.id, "declares no objectives (add a 'kind: objectives' file)"))
        for question in items:
            if question.objective:
                fit.with_objective += 1
                fit.tested.add(question.objective)
            state = status(question, reviews.get(question.id))
            fit.ledger.add(state)
            if state == "stale":
                problems.append((where(question), question.id, "changed since its last review "
                                 f"({reviews[question.id].date}): review it again"))
            elif state == "failed":
                failed = reviews[question.id]
                warnings.append((where(question), question.id, f"failed review on {failed.date}; rewrite it and "
                                 f"have it reviewed again: {failed.note or ''}".rstrip(": ")))
        fit.sibling_groups = sum(len(bank.by_objective(o)) > 1 for o in fit.tested)
        problems.extend(_cue_problems(module.id, items, fit.cues, where))
        result[module.id] = fit
    problems.extend(_implausible(bank, where))
    overall = Fitness()
    for fit in result.values():
        overall.objectives += fit.objectives
        overall.items += fit.items
        overall.with_objective += fit.with_objective
        overall.tested |= fit.tested
        overall.sibling_groups += fit.sibling_groups
        overall.cues.merge(fit.cues)
        for state in ("reviewed", "failed", "unreviewed", "stale"):
            setattr(overall.ledger, state, getattr(overall.ledger, state) + getattr(fit.ledger, state))
    result["all"] = overall
    return result, problems, warnings


def _cue_problems(module: str, items: list[Question], cues: CueFigures,
                  where: Callable[[Question], str]) -> list[Problem]:
    problems: list[Problem] = []
    by_id = {question.id: question for question in items}
    for item in cues.ratio_over:
        problems.append((where(by_id[item]), item, "key is over 1.3x its longest distractor: shorten it, lengthen "
                         "the distractors, or say why in long_key_reason"))
    if cues.testwise_over:
        cue = cues.best_cue
        problems.append((module, module, f"picking the {cue} option scores {cues.testwise:.0%} "
                         f"(chance {cues.chance_share:.0%}, limit chance + 10 points)"))
        problems.extend((where(q), q.id, f"the {cue} option is the key ({cue} cue)")
                        for q in items if giveaway(q, cue))
    if cues.tone_over:
        problems.append((module, module, f"true/false by tone alone scores {cues.tone_share:.0%} (limit 60%)"))
        problems.extend((where(q), q.id, "the statement's tone gives its answer away (hedged True, absolute False)")
                        for q in items if isinstance(q, TrueFalseQuestion) and tone_credit(q) == 1.0)
    return problems


def _implausible(bank: Bank, where: Callable[[Question], str]) -> list[Problem]:
    facts = SiteFacts.of(bank.course)
    problems: list[Problem] = []
    for question in bank:
        if question.origin != "generated" or not isinstance(question, ChoiceQuestion):
            continue
        keys = [o.id for o in question.options if o.correct]
        if all(key in facts.by_id for key in keys):  # options are sites
            halves = {half_of(facts.by_id[key]) for key in keys}
            for option in question.options:
                if not option.correct and half_of(facts.by_id[option.id]) not in halves:
                    problems.append((where(question), question.id,
                                     f"distractor '{option.text}' is in another half of the body than the key"))
        elif all(key in facts.structures for key in keys):  # options are structures
            kinds = {facts.structures[key].kind for key in keys}
            halves = {half_of(site) for key in keys for site in facts.exposed_at[key]}
            for option in question.options:
                if option.correct:
                    continue
                structure = facts.structures[option.id]
                near = {half_of(site) for site in facts.exposed_at[option.id]} & halves
                if structure.kind not in kinds or not near:
                    problems.append((where(question), question.id,
                                     f"distractor '{option.text}' is not the key's kind or not near the key"))
    return problems


__all__ = ["CUES", "Fitness", "assess"]

"""Questions generated from the endangerment-site table.

Three families, each id built from content ids with a double hyphen, which an
authored slug can never contain, so generated and authored ids never collide:

- `structure-site--<structure>` (mcq, or multi when the structure is exposed at
  several sites): where a structure lies exposed. Only each site's *lead*
  structure is asked (its first nerve, else its first structure): asking every
  structure of the armpit "which site exposes it?" would give five questions
  with one answer. Distractor sites come from the same body region first, then
  the same half of the body (`quizzes.matching.half_of`), never from the other
  half: a wrong place must be one a learner could mistake for the right one.
- `site-map--<site>` (hotspot): find the site on the body map.
- `match-sites--<region>` / `match-locations--<region>` (matching): see
  `quizzes.matching`. They ask every site's structures, so there is no
  separate "which structures are at risk at this site?" family: each of its
  items repeated one row of a `match-sites` table.

Objectives: the items about one site test one objective, `site--<site>` (a
double hyphen, so it never collides with a declared objective), each from its
own angle: the map recognises the place, `structure-site` applies it from the
structure (asked of the structure's first site, by id). A matching table is an
objective of its own (its id). Siblings are never shown on one day.

Distractors are chosen by seeded rank (`shuffle.pick`), so adding a site to the
table changes a question's distractors only if the new candidate outranks one.
A question for which fewer than two plausible distractors exist is not
generated (a tiny course would make a guessing game of it).

No give-aways: a prompt never shares a word stem with its correct option
("axillary artery" -> Axilla, "sciatic nerve" -> Greater sciatic notch). Where
a site's name would give the answer away, the question names the place in plain
English instead (`shares_stem`); `quizzes.quality` checks the result.
"""

from __future__ import annotations

from course.models import EndangermentSite, MblexArea
from quizzes.facts import SiteFacts, at_risk, capitalised, in_sentence, shares_stem, unique
from quizzes.matching import half_of, matching_questions
from quizzes.questions import Choice, ChoiceQuestion, HotspotQuestion, Question
from quizzes.shuffle import pick, stable_order

MIN_DISTRACTORS = 2
MAX_DISTRACTORS = 4
MAX_OPTIONS = 8  # as for authored multiple select


def generate(facts: SiteFacts) -> list[Question]:
    """Every generated question for the course's sites, in id order."""
    made: list[Question | None] = []
    for site in facts.sites:
        made.append(site_map(facts, site))
    for structure_id in lead_structures(facts):
        made.append(structure_site(facts, structure_id))
    made.extend(matching_questions(facts))
    return sorted((question for question in made if question is not None), key=lambda question: question.id)


def _distractor_count(correct: int) -> int:
    # As many wrong options as right ones, within 2..4 and 8 options in all:
    # enough to make a multiple select a real decision, few enough for a phone.
    return max(MIN_DISTRACTORS, min(MAX_DISTRACTORS, correct, MAX_OPTIONS - correct))


def lead_structures(facts: SiteFacts) -> list[str]:
    """The structure ids asked "where is it exposed?": each site's first nerve, else its first structure."""
    leads = []
    for site in facts.sites:
        nerves = [s for s in site.structures if s.kind.value == "nerve"]
        lead = (nerves or site.structures)[0]
        if lead.id not in leads:
            leads.append(lead.id)
    return sorted(leads)


def structure_site(facts: SiteFacts, structure_id: str) -> ChoiceQuestion | None:
    """`structure-site--<structure>`: at which site(s) is the structure exposed?"""
    qid = f"structure-site--{structure_id}"
    structure = facts.structures[structure_id]
    right = facts.exposed_at[structure_id]
    regions = {site.region.casefold() for site in right}
    halves = {half_of(site) for site in right}
    pool = [site for site in facts.sites if site not in right and half_of(site) in halves]

    def tier(site: EndangermentSite) -> int:
        return 0 if site.region.casefold() in regions else 1

    single = len(right) == 1
    wrong = pick(qid, pool, 3 if single else _distractor_count(len(right)), key=lambda site: site.id, tier=tier)
    if len(wrong) < MIN_DISTRACTORS:
        return None
    name = in_sentence(structure.name)
    # Options are site names unless a right one repeats the structure's name
    # ("Popliteal fossa" for the popliteal artery): then every option is a place.
    as_places = any(shares_stem(structure.name, site.name) for site in right)

    def label(site: EndangermentSite) -> str:
        return capitalised(site.location) if as_places else site.name

    options = [Choice(site.id, label(site), True, f"Yes: this is the {site.name.lower()} ({site.location}), which exposes the {name}.")
               for site in right]
    options += [Choice(site.id, label(site), False, f"No: this site exposes {at_risk(site.structures)}.")
                for site in wrong]
    stem = (f"Which endangerment site exposes the {name} to a therapist's pressure?" if single
            else f"Which endangerment sites expose the {name}? Select all that apply.")
    explanation = " ".join(facts.explain(site) for site in right)
    return ChoiceQuestion(
        id=qid,
        type="mcq" if single else "multi",
        module=facts.module_of(right[0]),
        lesson=right[0].lesson,
        stem=stem,
        explanation=explanation,
        sources=unique(source for site in right for source in site.sources),
        mblex=MblexArea.ANATOMY.value,
        difficulty=2,
        safety_critical=any(site.safety_critical for site in right),
        tags=facts.topics(right),
        origin="generated",
        sites=tuple(site.id for site in right),
        updated=facts.updated(right),
        objective=site_objective(right[0]),
        angle="apply",
        options=tuple(stable_order(qid, options, key=lambda option: option.id)),
    )


def site_map(facts: SiteFacts, site: EndangermentSite) -> HotspotQuestion:
    """`site-map--<site>`: find the site on the body map."""
    return HotspotQuestion(
        id=f"site-map--{site.id}",
        type="hotspot",
        module=facts.module_of(site),
        lesson=site.lesson,
        stem=f"Find this endangerment site on the body map ({site.view.value} view): {site.name}.",
        explanation=facts.explain(site),
        sources=tuple(site.sources),
        mblex=MblexArea.PATHOLOGY.value,
        difficulty=1,
        safety_critical=site.safety_critical,
        tags=facts.topics([site]),
        origin="generated",
        sites=(site.id,),
        updated=facts.updated([site]),
        objective=site_objective(site),
        angle="recognise",
        region=site.id,
        regions=facts.site_ids,
    )


def site_objective(site: EndangermentSite) -> str:
    """The objective of the generated items about one site: `site--<site id>`."""
    return f"site--{site.id}"

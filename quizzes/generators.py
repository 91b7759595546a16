"""Questions generated from the endangerment-site table.

Four families, each id built from content ids with a double hyphen, which an
authored slug can never contain, so generated and authored ids never collide:

- `site-structures--<site>` (multi), for sites listing two or more structures:
  which structures are at risk at a site. Distractors are structures at risk at
  *other* sites, the same kind first (nerve for nerve, artery for artery), so
  they are plausible, not silly. A one-structure site is asked the other way
  round only (below), since both directions would test one fact twice.
- `structure-site--<structure>` (mcq, or multi when the structure is exposed at
  several sites): where a structure lies exposed. Only each site's *lead*
  structure is asked (its first nerve, else its first structure): asking every
  structure of the armpit "which site exposes it?" would give five questions
  with one answer. Distractor sites from the same body region first, then the
  same body view.
- `site-map--<site>` (hotspot): find the site on the body map.
- `match-sites--<region>` / `match-locations--<region>` (matching): see
  `quizzes.matching`.

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

from course.models import EndangermentSite, MblexArea, Structure
from quizzes.facts import SiteFacts, at_risk, capitalised, in_sentence, join_and, shares_stem, unique
from quizzes.matching import matching_questions
from quizzes.questions import Choice, ChoiceQuestion, HotspotQuestion, Question
from quizzes.shuffle import pick, stable_order

MIN_DISTRACTORS = 2
MAX_DISTRACTORS = 4
MAX_OPTIONS = 8  # as for authored multiple select


def generate(facts: SiteFacts) -> list[Question]:
    """Every generated question for the course's sites, in id order."""
    made: list[Question | None] = []
    for site in facts.sites:
        made.append(site_structures(facts, site))
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


def site_structures(facts: SiteFacts, site: EndangermentSite) -> ChoiceQuestion | None:
    """`site-structures--<site>`: select every structure at risk at `site` (sites with two or more)."""
    qid = f"site-structures--{site.id}"
    if len(site.structures) < 2:
        return None
    own_ids = {s.id for s in site.structures}
    own_names = {s.name.casefold() for s in site.structures}
    kinds = {s.kind for s in site.structures}
    pool = [s for s in facts.structures.values() if s.id not in own_ids and s.name.casefold() not in own_names]
    wrong = _distinct_names(pick(qid, pool, len(pool), key=lambda s: s.id, tier=lambda s: 0 if s.kind in kinds else 1))
    wrong = wrong[: _distractor_count(len(site.structures))]
    if len(wrong) < MIN_DISTRACTORS:
        return None
    options = [Choice(s.id, s.name, True, f"Yes: this site exposes the {in_sentence(s.name)}.")
               for s in site.structures]
    options += [Choice(s.id, s.name, False, _elsewhere(facts, s)) for s in wrong]
    return ChoiceQuestion(
        id=qid,
        type="multi",
        module=facts.module_of(site),
        lesson=site.lesson,
        stem=(f"Endangerment site: {_site_words(site)}. Which structures are at risk here? Select all that apply."),
        explanation=facts.explain(site),
        sources=tuple(site.sources),
        mblex=MblexArea.PATHOLOGY.value,
        difficulty=1 if len(site.structures) <= 2 else 2,
        safety_critical=site.safety_critical,
        tags=facts.topics([site]),
        origin="generated",
        sites=(site.id,),
        updated=facts.updated([site]),
        options=tuple(stable_order(qid, options, key=lambda option: option.id)),
    )


def structure_site(facts: SiteFacts, structure_id: str) -> ChoiceQuestion | None:
    """`structure-site--<structure>`: at which site(s) is the structure exposed?"""
    qid = f"structure-site--{structure_id}"
    structure = facts.structures[structure_id]
    right = facts.exposed_at[structure_id]
    regions = {site.region.casefold() for site in right}
    views = {site.view for site in right}
    pool = [site for site in facts.sites if site not in right]

    def tier(site: EndangermentSite) -> int:
        return 0 if site.region.casefold() in regions else 1 if site.view in views else 2

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
        region=site.id,
        regions=facts.site_ids,
    )


def _site_words(site: EndangermentSite) -> str:
    # The site's name and place, or only the place when the name would give an
    # answer away (the popliteal fossa for the popliteal artery).
    if any(shares_stem(site.name, structure.name) for structure in site.structures):
        return site.location
    return f"{site.name}, {site.location}"


def _distinct_names(structures: list[Structure]) -> list[Structure]:
    # Two sites may describe the same nerve under two ids; an option list
    # showing the same words twice would be broken, so later ones are dropped.
    seen: set[str] = set()
    kept = []
    for structure in structures:
        if structure.name.casefold() not in seen:
            seen.add(structure.name.casefold())
            kept.append(structure)
    return kept


def _elsewhere(facts: SiteFacts, structure: Structure) -> str:
    names = [site.name for site in facts.exposed_at[structure.id]]
    return f"No: the {in_sentence(structure.name)} is at risk elsewhere ({join_and(names)})."

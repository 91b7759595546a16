"""Matching questions generated from the endangerment-site table.

Grouping rule (ids and pairs must survive sites being added, removed or
reordered in the content files):

1. Sites are grouped by their body `region` (slugged: "Neck" -> `neck`), never by
   their position in a list, and the regions by `REGION_GROUPS` into halves of
   the body (head, neck and arm are the `upper-body`; trunk and leg the
   `lower-body`); a region not listed there is its own group. Whole halves keep
   a site from being borrowed as padding into several questions, which made
   them test one site's list over and over. A group's question ids are
   `match-sites--<group>` (place on the body -> structures at risk; the place,
   not the site's name, because "Popliteal fossa" would give away "popliteal
   artery") and `match-locations--<group>` (site name -> where it is).
2. A region with more than 6 sites is split into ceil(n/6) chunks of nearly equal
   size, by site id: `match-sites--<region>-1`, `-2`... Adding a site there may
   move sites between that region's chunks, and nowhere else.
3. A region with fewer than 4 sites is padded to 4 pairs with sites from other
   regions, the same body view first, chosen by seeded rank of the question id,
   so a new site elsewhere changes the padding only if it outranks a current one.
4. With fewer than 4 sites in the whole course there are no matching questions.

The learner matches each left item (a site) to a right item; the right column
is shown in a seeded order in which no item stays beside its own left item.
"""

from __future__ import annotations

import math
from typing import Callable

from course.models import EndangermentSite, MblexArea
from quizzes.facts import SiteFacts, in_sentence, join_and, slug, unique
from quizzes.questions import MatchingQuestion, Pair
from quizzes.shuffle import derange, pick, stable_order

MIN_PAIRS = 4
MAX_PAIRS = 6

Side = Callable[[EndangermentSite], str]

# Region slug -> matching group. Ids of matching questions are built from the
# group, so renaming a group here starts new questions (and drops the old ones).
REGION_GROUPS: dict[str, str] = {
    "head": "upper-body",
    "neck": "upper-body",
    "arm": "upper-body",
    "trunk": "lower-body",
    "leg": "lower-body",
}


def _structures(site: EndangermentSite) -> str:
    names = [structure.name for structure in site.structures]
    return join_and([names[0], *(in_sentence(name) for name in names[1:])])


def _location(site: EndangermentSite) -> str:
    return site.location[:1].upper() + site.location[1:]


def _name(site: EndangermentSite) -> str:
    return site.name


FAMILIES: tuple[tuple[str, Side, Side, str], ...] = (
    ("match-sites", _location, _structures, "Match each place on the body to the structures at risk there."),
    ("match-locations", _name, _location, "Match each endangerment site to where it is on the body."),
)


def half_of(site: EndangermentSite) -> str:
    """The matching group (half of the body) of a site's region: where a wrong answer stays plausible."""
    region = slug(site.region)
    return REGION_GROUPS.get(region, region)


def groups(facts: SiteFacts) -> dict[str, list[EndangermentSite]]:
    """Group key -> its core sites (sorted by id), per the module's rules 1 and 2."""
    by_region: dict[str, list[EndangermentSite]] = {}
    for site in facts.sites:  # already sorted by id
        region = slug(site.region)
        by_region.setdefault(REGION_GROUPS.get(region, region), []).append(site)
    result: dict[str, list[EndangermentSite]] = {}
    for region, sites in sorted(by_region.items()):
        if len(sites) <= MAX_PAIRS:
            result[region] = sites
            continue
        chunks = math.ceil(len(sites) / MAX_PAIRS)
        size, extra = divmod(len(sites), chunks)
        start = 0
        for index in range(chunks):
            end = start + size + (1 if index < extra else 0)
            result[f"{region}-{index + 1}"] = sites[start:end]
            start = end
    return result


def matching_questions(facts: SiteFacts) -> list[MatchingQuestion]:
    """Both matching families for every group of sites."""
    if len(facts.sites) < MIN_PAIRS:
        return []
    made = []
    for key, core in groups(facts).items():
        for family, left, right, stem in FAMILIES:
            question = _question(facts, f"{family}--{key}", core, left, right, stem)
            if question is not None:
                made.append(question)
    return made


def _question(
    facts: SiteFacts, qid: str, core: list[EndangermentSite], left: Side, right: Side, stem: str
) -> MatchingQuestion | None:
    sites = list(core)
    rights = {right(site).casefold() for site in sites}
    if len(rights) < len(sites) or len({left(site).casefold() for site in sites}) < len(sites):
        return None  # two sites with the same left or right side cannot both be matched
    views = {site.view for site in core}
    pool = [site for site in facts.sites if site not in core]
    for site in pick(qid, pool, len(pool), key=lambda s: s.id, tier=lambda s: 0 if s.view in views else 1):
        if len(sites) >= MIN_PAIRS:
            break
        if right(site).casefold() not in rights and left(site).casefold() not in {left(s).casefold() for s in sites}:
            rights.add(right(site).casefold())
            sites.append(site)
    if len(sites) < MIN_PAIRS:
        return None
    shown = stable_order(qid, sites, key=lambda site: site.id)
    pairs = tuple(Pair(site.id, left(site), right(site)) for site in shown)
    return MatchingQuestion(
        id=qid,
        type="matching",
        module=facts.module_of(core[0]),
        lesson=core[0].lesson,
        stem=stem,
        explanation=" ".join(facts.explain(site) for site in shown),
        sources=unique(source for site in shown for source in site.sources),
        mblex=MblexArea.ANATOMY.value,
        difficulty=2 if len(pairs) <= 5 else 3,
        safety_critical=any(site.safety_critical for site in shown),
        tags=facts.topics(core),
        origin="generated",
        sites=tuple(site.id for site in shown),
        updated=facts.updated(shown),
        # A table of a whole half of the body is its own objective: it reviews
        # the rows together, which no single-site item does.
        objective=qid,
        angle="recognise",
        pairs=pairs,
        right_order=tuple(derange(qid, [pair.id for pair in pairs])),
    )

"""An index of the endangerment-site facts, and the wording shared by generators.

Everything here is keyed by content ids and sorted by them, so nothing a
generator derives depends on the order sites happen to be listed in a file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Iterable

from course.models import Course, EndangermentSite, Structure


@dataclass(frozen=True)
class SiteFacts:
    """The sites of a course, indexed for question generation."""

    course: Course
    sites: tuple[EndangermentSite, ...]  # sorted by id
    by_id: dict[str, EndangermentSite] = field(repr=False)
    # structure id -> the sites (sorted by id) where it is at risk
    exposed_at: dict[str, tuple[EndangermentSite, ...]] = field(repr=False)
    # structure id -> the structure as first described (lowest site id)
    structures: dict[str, Structure] = field(repr=False)
    lesson_module: dict[str, str] = field(repr=False)
    lesson_title: dict[str, str] = field(repr=False)

    @classmethod
    def of(cls, course: Course) -> SiteFacts:
        """Index `course`'s sites."""
        sites = tuple(sorted(course.sites, key=lambda site: site.id))
        exposed: dict[str, list[EndangermentSite]] = {}
        structures: dict[str, Structure] = {}
        for site in sites:
            for structure in site.structures:
                exposed.setdefault(structure.id, []).append(site)
                structures.setdefault(structure.id, structure)
        return cls(
            course=course,
            sites=sites,
            by_id={site.id: site for site in sites},
            exposed_at={key: tuple(value) for key, value in sorted(exposed.items())},
            structures=dict(sorted(structures.items())),
            lesson_module={lesson.id: lesson.module for lesson in course.lessons},
            lesson_title={lesson.id: lesson.title for lesson in course.lessons},
        )

    @property
    def site_ids(self) -> tuple[str, ...]:
        """Every site id, sorted: the regions of a body-map question."""
        return tuple(self.by_id)

    def module_of(self, site: EndangermentSite) -> str:
        """The module a site belongs to (the module of its lesson)."""
        return self.lesson_module[site.lesson]

    def updated(self, sites: Iterable[EndangermentSite]) -> dt.date:
        """When the newest of `sites` last changed (its `updated`, else the course release)."""
        return max((site.updated or self.course.release for site in sites), default=self.course.release)

    def topics(self, sites: Iterable[EndangermentSite]) -> tuple[str, ...]:
        """Topic tags of a generated item from the course vocabulary: the list, the body regions, nerves or vessels.

        Generated items carry topics like authored ones (never site ids or a
        "generated" tag, which the closed vocabulary does not hold); when the
        course declares a vocabulary, only declared topics are used.
        """
        sites = list(sites)
        kinds = {structure.kind.value for site in sites for structure in site.structures}
        wanted = ["endangerment-sites", *sorted({slug(site.region) for site in sites})]
        if "nerve" in kinds:
            wanted.append("nerves")
        if kinds & {"artery", "vein"}:
            wanted.append("vessels")
        declared = {topic.id for topic in self.course.topics}
        return tuple(topic for topic in unique(wanted) if not declared or topic in declared)

    def explain(self, site: EndangermentSite) -> str:
        """A site's facts as one explanation paragraph, ending with the lesson to read."""
        text = f"{site.name}: {site.location}. At risk here: {at_risk(site.structures)}."
        if site.note:
            text += f" {site.note.strip()}"
        return text + f" See the lesson “{self.lesson_title[site.lesson]}”."


def in_sentence(name: str) -> str:
    """A structure's name as it reads after "the": first letter lowered unless it is a proper name."""
    first = name.split(" ", 1)[0]
    if first.endswith(("'s", "’s")) or (len(name) > 1 and name[1].isupper()):
        return name
    return name[:1].lower() + name[1:]


def join_and(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def at_risk(structures: Iterable[Structure]) -> str:
    """"the ulnar nerve and the brachial artery"."""
    return join_and([f"the {in_sentence(s.name)}" for s in structures])


def capitalised(text: str) -> str:
    """`text` with its first letter upper-cased ("the armpit" -> "The armpit")."""
    return text[:1].upper() + text[1:]


# Words too general to give an answer away when a prompt and an option share them.
GENERIC_WORDS = frozenset(
    """nerve nerves artery arteries vein veins site sites endangerment structure structures which
    select apply therapist therapist's pressure exposes expose exposed where risk here this that
    with from side the""".split()
)


def word_stems(text: str) -> frozenset[str]:
    """Crude stems of the telling words of `text`: words of 4+ letters, cut to 5 letters.

    Five letters join "axillary" with "axilla" and "popliteal" with itself while
    keeping "femoral" apart from "fibula"; good enough to catch a give-away.
    """
    words = re.findall(r"[a-z]+", text.casefold())
    return frozenset(word[:5] for word in words if len(word) >= 4 and word not in GENERIC_WORDS)


def shares_stem(first: str, second: str) -> bool:
    """True when the two texts share a telling word stem (a give-away if one is the prompt)."""
    return bool(word_stems(first) & word_stems(second))


def slug(text: str) -> str:
    """A free-text label (a body region) as an id part: lowercase words joined by single hyphens."""
    return "-".join(re.findall(r"[a-z0-9]+", text.casefold())) or "body"


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """`values` without repeats, first occurrence kept."""
    return tuple(dict.fromkeys(values))

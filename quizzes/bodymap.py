"""The body map: front and back views of the body with one region per endangerment site.

The drawing lives in `bodymap.svg` beside this module, drawn for this project. Each
site is one element with `id="region-<site-id>"`, `data-region="<site-id>"`,
`class="region"` and a `<title>` naming the site in plain English; the site ids are
the endangerment-site ids of the course content. Hotspot questions show the map
interactively in the browser; the Anki export uses it as a card image.

Styling: a small `<style>` inside the SVG sets colours through custom properties
(`--bm-skin`, `--bm-ink`, `--bm-detail`, `--bm-label`, `--bm-halo`, `--bm-region`,
`--bm-region-opacity`, `--bm-hot`, `--bm-hot-ink`, `--bm-focus`) declared under
`:where(.bodymap)`, so any page rule on `.bodymap` overrides them. Its defaults follow `prefers-color-scheme`,
and the body is an opaque light shape with a dark outline, which stays legible on a
dark page even where the media query does not reach (an `<img>` in a night-mode
reviewer). Region states: `highlight` (the answer), `selected` (for the page to
toggle), hover and keyboard focus in interactive maps.
"""

from __future__ import annotations

import copy
import functools
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib import resources

SVG_NS = "http://www.w3.org/2000/svg"

REGIONS: tuple[str, ...] = (
    # front view
    "anterior-triangle-neck",
    "posterior-triangle-neck",
    "axilla",
    "medial-epicondyle",
    "umbilical-region",
    "inguinal-triangle",
    "below-earlobe",
    # back view
    "lateral-epicondyle",
    "twelfth-rib",
    "greater-sciatic-notch",
    "popliteal-fossa",
)

_ALT = "Body map of the endangerment sites, front and back views"
# Deliberately does not name the site: the highlighted map is also the prompt of a
# "name this site" card, so the answer must not be read out (or shown) with it.
_ALT_HIGHLIGHT = "Body map, front and back views, with one endangerment site highlighted"
_GROUP_LABEL = "Body map, front and back views: choose a region"


@dataclass(frozen=True)
class _Drawing:
    """The parsed SVG, never mutated, and the region titles read from it."""

    root: ET.Element
    labels: dict[str, str]


@functools.cache
def _drawing() -> _Drawing:
    """Load and check `bodymap.svg` once per process."""
    text = resources.files(__package__).joinpath("bodymap.svg").read_text(encoding="utf-8")
    root = ET.fromstring(text)  # our own packaged SVG, never user input  # nosec B314
    # Plain tag names plus an explicit xmlns attribute serialise as the file reads
    # (ElementTree would otherwise write ns0: prefixes or need a global registration).
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
    root.attrib = {"xmlns": SVG_NS, **root.attrib}
    labels: dict[str, str] = {}
    for element in root.iter():
        site = element.get("data-region")
        if site is None:
            continue
        title = element.find("title")
        if site in labels or title is None or not (title.text or "").strip():
            raise RuntimeError(f"bodymap.svg: region {site!r} is repeated or has no <title>")
        labels[site] = " ".join((title.text or "").split())
    if set(labels) != set(REGIONS):
        raise RuntimeError(f"bodymap.svg draws {sorted(labels)}, expected {sorted(REGIONS)}")
    return _Drawing(root=root, labels=labels)


def _check(site_id: str | None) -> None:
    if site_id is not None and site_id not in REGIONS:
        raise ValueError(f"unknown body-map region {site_id!r}; expected one of: {', '.join(REGIONS)}")


def region_label(site_id: str) -> str:
    """The plain-English name of a region, from its `<title>` in the drawing.

    Raises:
        ValueError: `site_id` is not one of `REGIONS`.
    """
    _check(site_id)
    return _drawing().labels[site_id]


def body_map_svg(highlight: str | None = None, interactive: bool = False) -> str:
    """The body map as SVG text, ready to inline in HTML or to save as an `.svg` file.

    Args:
        highlight: a site id whose region is marked (class `highlight`, a strong orange).
        interactive: regions become focusable buttons (`tabindex="0"`, `role="button"`)
            inside a labelled group; otherwise the whole map is one `role="img"` with an
            `aria-label` (which never names the highlighted site: the map may be the
            question) and regions ignore the pointer, so no title tooltip appears.

    Returns:
        A standalone `<svg>` element (no XML declaration).

    Raises:
        ValueError: `highlight` is not one of `REGIONS`.
    """
    _check(highlight)
    return _render(highlight, interactive)


_TITLE_TAG = "title"  # the drawing is parsed with its namespace stripped


@functools.lru_cache(maxsize=2 * (len(REGIONS) + 1))
def _render(highlight: str | None, interactive: bool) -> str:
    root = copy.deepcopy(_drawing().root)
    if interactive:
        root.set("role", "group")
        root.set("aria-label", _GROUP_LABEL)
    else:
        root.set("role", "img")
        root.set("aria-label", _ALT_HIGHLIGHT if highlight else _ALT)
    for element in root.iter():
        site = element.get("data-region")
        if site is None:
            continue
        if site == highlight:
            element.set("class", "region highlight")
        if interactive:
            element.set("tabindex", "0")
            element.set("role", "button")
            # A hover tooltip would name the site a "find this site" question
            # asks for; the name moves to aria-label, where assistive
            # technology (which needs it to operate the map) still reads it.
            title = element.find(_TITLE_TAG)
            if title is not None:
                element.set("aria-label", title.text or site)
                element.remove(title)
    return ET.tostring(root, encoding="unicode")

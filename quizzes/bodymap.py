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

Locate questions ("find this site") use one drawing per view (`view_svg`), hidden
from assistive technology, under HTML tap targets placed from the drawing's
`bm-hit` ellipses (`locate_spots`): the page's radio buttons carry neutral labels
("region 4 of 11, front"), so neither the markup nor a tooltip names the site asked for.
"""

from __future__ import annotations

import copy
import functools
import xml.etree.ElementTree as ET
from collections.abc import Sequence
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


VIEWS: tuple[str, ...] = ("front", "back")
# Each view is a 200 x 440 box of the drawing (front from x=0, back from x=200);
# `view_svg` shows its middle 170 units (the arms end 24 units in), so the body
# and its tap targets fill a phone's width.
VIEW_BOX, VIEW_MARGIN = 200.0, 15.0
VIEW_WIDTH, VIEW_HEIGHT = VIEW_BOX - 2 * VIEW_MARGIN, 440.0

# (centre x, centre y, x radius, y radius) of one tap target, in its view's units.
Ellipse = tuple[float, float, float, float]


@dataclass(frozen=True)
class _Drawing:
    """The parsed SVG, never mutated, and what each region's element says."""

    root: ET.Element
    labels: dict[str, str]
    views: dict[str, str]  # site id -> "front" | "back"
    hits: dict[str, tuple[Ellipse, ...]]


@dataclass(frozen=True)
class Spot:
    """One region as a locate question offers it: a neutral label and its tap targets.

    `boxes` are (left, top, width, height) in percent of the view's box, one per
    side of the body, for HTML targets laid over `view_svg(view)`.
    """

    site: str
    view: str
    number: int
    total: int
    boxes: tuple[tuple[float, float, float, float], ...]

    @property
    def label(self) -> str:
        """The neutral label: the region's position, never its name."""
        return f"Region {self.number} of {self.total}, {self.view}"


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
    views: dict[str, str] = {}
    hits: dict[str, tuple[Ellipse, ...]] = {}
    for group in root.iter("g"):
        view = next((v for v in VIEWS if f"bm-{v}" in (group.get("class") or "").split()), None)
        if view is None:
            continue
        for element in group.iter():
            site = element.get("data-region")
            if site is None:
                continue
            title = element.find("title")
            if site in labels or title is None or not (title.text or "").strip():
                raise RuntimeError(f"bodymap.svg: region {site!r} is repeated or has no <title>")
            labels[site] = " ".join((title.text or "").split())
            views[site] = view
            hits[site] = tuple(
                # Both views are drawn around x=0 and shifted 100 units into their box.
                (float(e.get("cx", 0)) + VIEW_BOX / 2, float(e.get("cy", 0)), float(e.get("rx", 0)), float(e.get("ry", 0)))
                for e in element.iter("ellipse") if "bm-hit" in (e.get("class") or "").split()
            )
            if not hits[site]:
                raise RuntimeError(f"bodymap.svg: region {site!r} has no bm-hit tap target")
    if set(labels) != set(REGIONS):
        raise RuntimeError(f"bodymap.svg draws {sorted(labels)}, expected {sorted(REGIONS)}")
    return _Drawing(root=root, labels=labels, views=views, hits=hits)


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


def region_view(site_id: str) -> str:
    """Which view ("front" or "back") draws the site.

    Raises:
        ValueError: `site_id` is not one of `REGIONS`.
    """
    _check(site_id)
    return _drawing().views[site_id]


def hit_ellipses(site_id: str) -> tuple[Ellipse, ...]:
    """The site's tap targets (centre x, centre y, radii) in its view's units.

    Raises:
        ValueError: `site_id` is not one of `REGIONS`.
    """
    _check(site_id)
    return _drawing().hits[site_id]


def locate_spots(sites: Sequence[str]) -> list[Spot]:
    """The regions a locate question offers, numbered front view first, then top to bottom.

    Numbering by position (not by name or by the question's order) lets arrow keys
    move down the body and keeps labels free of the answer.

    Raises:
        ValueError: a site is not one of `REGIONS`.
    """
    for site in sites:
        _check(site)
    drawing = _drawing()

    def position(site: str) -> tuple[int, float, float]:
        top = min(drawing.hits[site], key=lambda e: e[1])
        return VIEWS.index(drawing.views[site]), top[1], abs(top[0] - VIEW_BOX / 2)

    ordered = sorted(dict.fromkeys(sites), key=position)
    return [
        Spot(
            site=site, view=drawing.views[site], number=number, total=len(ordered),
            boxes=tuple(
                (round(100 * (x - rx - VIEW_MARGIN) / VIEW_WIDTH, 3), round(100 * (y - ry) / VIEW_HEIGHT, 3),
                 round(100 * 2 * rx / VIEW_WIDTH, 3), round(100 * 2 * ry / VIEW_HEIGHT, 3))
                for x, y, rx, ry in sorted(drawing.hits[site])
            ),
        )
        for number, site in enumerate(ordered, start=1)
    ]


def view_svg(view: str, highlight: str | None = None, chosen: str | None = None) -> str:
    """One view of the body as decoration for a page that labels it in HTML.

    The SVG is `aria-hidden` and has no titles (a tooltip would name the site a
    locate question asks for); `highlight` marks the answer, `chosen` the learner's pick.

    Raises:
        ValueError: an unknown view or region.
    """
    if view not in VIEWS:
        raise ValueError(f"unknown body-map view {view!r}; expected one of: {', '.join(VIEWS)}")
    _check(highlight)
    _check(chosen)
    return _render_view(view, highlight, chosen)


@functools.lru_cache(maxsize=64)
def _render_view(view: str, highlight: str | None, chosen: str | None) -> str:
    root = copy.deepcopy(_drawing().root)
    for group in list(root):
        classes = (group.get("class") or "").split()
        if "bm-view" in classes and f"bm-{view}" not in classes:
            root.remove(group)
    left = VIEWS.index(view) * VIEW_BOX + VIEW_MARGIN
    root.set("viewBox", f"{left:g} 0 {VIEW_WIDTH:g} {VIEW_HEIGHT:g}")
    root.set("width", f"{VIEW_WIDTH:g}")
    root.set("height", f"{VIEW_HEIGHT:g}")
    root.set("aria-hidden", "true")
    root.set("focusable", "false")
    root.set("class", f"bodymap bm-{view}-only")
    for element in root.iter():
        site = element.get("data-region")
        if site is None:
            continue
        title = element.find(_TITLE_TAG)
        if title is not None:
            element.remove(title)
        marks = ["region"] + (["highlight"] if site == highlight else []) + (["selected"] if site == chosen else [])
        element.set("class", " ".join(marks))
        # The page's HTML targets carry the ids (two copies of an id would break labels), and
        # the page source names no site either: the marks alone say which is which.
        element.attrib.pop("id", None)
        element.attrib.pop("data-region", None)
    return ET.tostring(root, encoding="unicode")

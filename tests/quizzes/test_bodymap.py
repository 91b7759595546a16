"""The body map: the fixed regions, titles, highlight, accessibility, and (in Chromium) geometry."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from quizzes.bodymap import REGIONS, body_map_svg, region_label

NS = "{http://www.w3.org/2000/svg}"
FRONT = ("anterior-triangle-neck", "posterior-triangle-neck", "axilla", "medial-epicondyle",
         "umbilical-region", "inguinal-triangle", "below-earlobe")
BACK = ("lateral-epicondyle", "twelfth-rib", "greater-sciatic-notch", "popliteal-fossa")
SITE_IDS = FRONT + BACK


def _root(**kwargs: Any) -> ET.Element:
    return ET.fromstring(body_map_svg(**kwargs))


def _regions(root: ET.Element) -> list[ET.Element]:
    return [element for element in root.iter() if element.get("data-region") is not None]


def _classes(element: ET.Element) -> list[str]:
    return (element.get("class") or "").split()


def test_regions_are_the_eleven_site_ids() -> None:
    assert REGIONS == SITE_IDS


@pytest.mark.parametrize("interactive", [False, True])
@pytest.mark.parametrize("highlight", [None, *SITE_IDS])
def test_every_rendering_is_well_formed_svg(highlight: str | None, interactive: bool) -> None:
    root = _root(highlight=highlight, interactive=interactive)
    assert root.tag == f"{NS}svg"
    assert root.get("viewBox") == "0 0 400 440"


@pytest.mark.parametrize("interactive", [False, True])
def test_every_region_appears_exactly_once_with_id_class_and_title(interactive: bool) -> None:
    regions = _regions(_root(interactive=interactive))
    assert Counter(element.get("data-region") for element in regions) == Counter(SITE_IDS)
    for element in regions:
        site = element.get("data-region")
        assert element.get("id") == f"region-{site}"
        assert "region" in _classes(element)
        titles = element.findall(f"{NS}title")
        if interactive:
            # Named for assistive technology, but no hover tooltip to give the answer away.
            assert not titles and element.get("aria-label") == region_label(site)
        else:
            assert len(titles) == 1 and (titles[0].text or "").strip()
        assert len(list(element)) >= 1, f"{site} has no shape"


def test_regions_sit_in_their_view() -> None:
    root = _root()
    views = {view: root.find(f".//{NS}g[@class='bm-view bm-{view}']") for view in ("front", "back")}
    for view, expected in (("front", FRONT), ("back", BACK)):
        group = views[view]
        assert group is not None
        assert tuple(element.get("data-region") for element in _regions(group)) == expected
    labels = [text.text for text in root.iter(f"{NS}text") if "bm-label" in _classes(text)]
    assert labels == ["Front", "Back"]


@pytest.mark.parametrize("site", SITE_IDS)
def test_highlight_marks_exactly_that_region(site: str) -> None:
    highlighted = [element for element in _root(highlight=site).iter() if "highlight" in _classes(element)]
    assert [element.get("data-region") for element in highlighted] == [site]
    assert _classes(highlighted[0]) == ["region", "highlight"]


def test_no_highlight_by_default() -> None:
    assert "highlight" not in " ".join(" ".join(_classes(element)) for element in _root().iter())


@pytest.mark.parametrize("bad", ["elbow", "", "Axilla", "region-axilla", "axilla "])
def test_unknown_highlight_raises(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown body-map region"):
        body_map_svg(highlight=bad)


def test_static_map_is_one_labelled_image_that_does_not_give_the_answer_away() -> None:
    plain, marked = _root(), _root(highlight="axilla")
    for root in (plain, marked):
        assert root.get("role") == "img" and root.get("aria-label")
        assert all(element.get("tabindex") is None for element in root.iter())
    assert "xilla" not in (marked.get("aria-label") or "")
    assert marked.get("aria-label") != plain.get("aria-label")


def test_interactive_regions_are_focusable_buttons() -> None:
    root = _root(interactive=True)
    assert root.get("role") == "group" and root.get("aria-label")
    for element in _regions(root):
        assert element.get("tabindex") == "0" and element.get("role") == "button"


def test_region_labels_come_from_the_titles() -> None:
    titles = {element.get("data-region"): element.find(f"{NS}title").text for element in _regions(_root())}  # type: ignore[union-attr]
    assert {site: region_label(site) for site in SITE_IDS} == titles
    assert region_label("medial-epicondyle") == "Inside of the elbow (medial epicondyle)"
    assert region_label("popliteal-fossa") == "Back of the knee (popliteal fossa)"
    with pytest.raises(ValueError):
        region_label("knee")


def test_rendering_is_cached_and_self_contained() -> None:
    assert body_map_svg("axilla") is body_map_svg("axilla")
    text = body_map_svg()
    # It becomes a standalone Anki media file: nothing may point outside it.
    for outside in ("href", "url(", "@import", "<script", "<?xml"):
        assert outside not in text


# --- In Chromium: what a student actually taps and sees -------------------------------------------------

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Body map</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">
<style>body {{ margin: 0 }} @media (prefers-color-scheme: dark) {{ body {{ background: #121416; color: #e9eaeb }} }}
.bodymap {{ display: block; width: 100%; height: auto }}</style></head><body><main><h1>Body map</h1>{svg}</main></body></html>"""

SHAPES_JS = """() => [...document.querySelectorAll('.region')].flatMap(g =>
  [...g.querySelectorAll('path, ellipse, circle, polygon, rect')].map(s => {
    const r = s.getBoundingClientRect();
    return {site: g.dataset.region, hit: s.classList.contains('bm-hit'),
            x: r.left, y: r.top, w: r.width, h: r.height};
  }))"""

# Which regions are under each point of a rectangle, by the browser's own hit testing.
SCAN_JS = """([x0, y0, x1, y1, step]) => {
  const clashes = [];
  for (let y = y0; y <= y1; y += step) for (let x = x0; x <= x1; x += step) {
    const sites = new Set(document.elementsFromPoint(x, y).map(e => e.closest('.region'))
                          .filter(Boolean).map(g => g.dataset.region));
    if (sites.size > 1) clashes.push([x, y, [...sites]]);
  }
  return clashes;
}"""

STYLE_JS = """([site]) => {
  const shape = document.querySelector(`#region-${site} > :not(title):not(.bm-hit)`);
  const body = document.querySelector('.bm-body');
  const s = getComputedStyle(shape), b = getComputedStyle(body);
  return {fill: s.fill, fillOpacity: s.fillOpacity, stroke: s.stroke, skin: b.fill};
}"""


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(part) for part in css[css.index("(") + 1:css.index(")")].split(",")[:3])


def _luminance(rgb: tuple[float, ...]) -> float:
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture
def phone(browser: Any) -> Any:
    """A 375 px wide page showing the interactive map edge to edge."""
    context = browser.new_context(viewport={"width": 375, "height": 720})
    page = context.new_page()
    page.set_content(PAGE.format(svg=body_map_svg(interactive=True)))
    yield page
    context.close()


@pytest.mark.browser
def test_regions_do_not_overlap(phone: Any) -> None:
    shapes = phone.evaluate(SHAPES_JS)
    checked = 0
    for i, a in enumerate(shapes):
        for b in shapes[i + 1:]:
            if a["site"] == b["site"]:
                continue
            x0, y0 = max(a["x"], b["x"]), max(a["y"], b["y"])
            x1, y1 = min(a["x"] + a["w"], b["x"] + b["w"]), min(a["y"] + a["h"], b["y"] + b["h"])
            if x0 < x1 and y0 < y1:
                checked += 1
                assert phone.evaluate(SCAN_JS, [x0, y0, x1, y1, 0.25]) == [], (a["site"], b["site"])
    assert checked > 0, "no neighbouring regions were examined"


def _targets(shapes: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[float, float]]:
    """Tap target size per region and side: the union of its drawn and hit shapes on that side."""
    boxes: dict[tuple[str, str], list[float]] = {}
    for site in SITE_IDS:
        own = [shape for shape in shapes if shape["site"] == site]
        middle = (min(s["x"] for s in own) + max(s["x"] + s["w"] for s in own)) / 2
        for shape in own:
            centre = shape["x"] + shape["w"] / 2
            side = "left" if centre < middle - 1 else "right" if centre > middle + 1 else "middle"
            box = boxes.setdefault((site, side), [shape["x"], shape["y"], shape["x"] + shape["w"], shape["y"] + shape["h"]])
            box[:] = [min(box[0], shape["x"]), min(box[1], shape["y"]),
                      max(box[2], shape["x"] + shape["w"]), max(box[3], shape["y"] + shape["h"])]
    return {key: (x1 - x0, y1 - y0) for key, (x0, y0, x1, y1) in boxes.items()}


@pytest.mark.browser
def test_tap_targets_at_phone_width(phone: Any) -> None:
    """Each side of each region offers about 24 CSS px to tap, at the least 20 px across."""
    targets = _targets(phone.evaluate(SHAPES_JS))
    assert {site for site, _ in targets} == set(SITE_IDS)
    too_small = {key: (round(w), round(h)) for key, (w, h) in targets.items() if min(w, h) < 20 or max(w, h) < 24}
    assert too_small == {}


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_highlight_stands_out_in_both_schemes(browser: Any, artifacts: Path, scheme: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 720}, color_scheme=scheme)
    page = context.new_page()
    page.set_content(PAGE.format(svg=body_map_svg(highlight="medial-epicondyle")))
    marked = page.evaluate(STYLE_JS, ["medial-epicondyle"])
    plain = page.evaluate(STYLE_JS, ["axilla"])
    page.screenshot(path=str(artifacts / f"bodymap-test-{scheme}-375.png"), full_page=True)
    context.close()
    assert marked["fill"] != plain["fill"] and float(marked["fillOpacity"]) >= 0.8 > float(plain["fillOpacity"])
    skin = _rgb(marked["skin"])
    assert _contrast(_rgb(marked["stroke"]), skin) >= 4.5
    assert _contrast(_rgb(marked["fill"]), skin) >= 2.5


@pytest.mark.browser
@pytest.mark.parametrize("interactive", [False, True])
def test_axe_finds_no_violations(browser: Any, interactive: bool) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": 375, "height": 720})
    page = context.new_page()
    page.set_content(PAGE.format(svg=body_map_svg(highlight="axilla", interactive=interactive)))
    results = Axe().run(page)
    context.close()
    assert results.violations_count == 0, results.generate_report()

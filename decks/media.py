"""Media files of a package: the body map with one site highlighted, per site.

One file per endangerment site, named by the site id (decks.ids), so every
note about that site shares it and a rebuild writes the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable

from decks.ids import body_map_media_name
from quizzes.bodymap import body_map_svg


def body_maps(site_ids: Iterable[str]) -> dict[str, bytes]:
    """Media file name -> SVG bytes for each site id, the site highlighted."""
    return {body_map_media_name(site): body_map_svg(highlight=site).encode("utf-8") for site in sorted(set(site_ids))}

"""Fail when the built docs site loads anything from another host.

Run by ``make docs`` after ``mkdocs build``: every stylesheet, script, font, image or frame
a page or a stylesheet asks for must be a file of the site itself, so that reading the docs
sends no request elsewhere (no Google Fonts, no CDN). Links a reader clicks (``<a href>``)
are not resources and may go anywhere.

    python tools/check_site_resources.py .site
"""

from __future__ import annotations

import argparse
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

# (tag, attribute) pairs whose URL the browser fetches on its own
_FETCHED = {
    ("link", "href"),
    ("script", "src"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("iframe", "src"),
    ("audio", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("embed", "src"),
    ("object", "data"),
    ("image", "href"),
    ("use", "href"),
}
# link rel values that only name a page, without fetching it
_NOT_FETCHED_RELS = {"canonical", "alternate", "next", "prev", "author", "license", "search"}
_EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", re.IGNORECASE)


class _Resources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        rels = set(values.get("rel", "").lower().split())
        if tag == "link" and rels and rels <= _NOT_FETCHED_RELS:
            return
        for name, value in values.items():
            if (tag, name) in _FETCHED:
                urls = [part.split()[0] for part in value.split(",") if part.strip()]
                self.external += [url for url in urls if _EXTERNAL.match(url)]
        if "style" in values:
            self.external += _external_in_css(values["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.external += _external_in_css(data)


def _external_in_css(css: str) -> list[str]:
    return [url for url in _CSS_URL.findall(css) if _EXTERNAL.match(url)]


def external_resources(site: Path) -> list[str]:
    """``page: url`` for each resource of the site that another host would serve."""
    found: list[str] = []
    for page in sorted(site.rglob("*.html")):
        parser = _Resources()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        found += [f"{page.relative_to(site)}: {url}" for url in parser.external]
    for sheet in sorted(site.rglob("*.css")):
        text = sheet.read_text(encoding="utf-8", errors="replace")
        found += [f"{sheet.relative_to(site)}: {url}" for url in _external_in_css(text)]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the folder mkdocs built (e.g. .site)")
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        raise SystemExit(f"{args.site} holds no built site (no index.html)")
    found = external_resources(args.site)
    if found:
        print("the docs site loads resources from other hosts:", *found, sep="\n  ")
        sys.exit(1)
    print(f"{args.site}: every resource is served with the site")


if __name__ == "__main__":
    main()

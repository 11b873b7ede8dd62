"""tools/check_site_resources.py: what counts as a resource from another host."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "tools"))
from check_site_resources import external_resources


def _site(tmp_path: Path, html: str, css: str = "") -> Path:
    (tmp_path / "index.html").write_text(html, encoding="utf-8")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "main.css").write_text(css, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "html",
    [
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">',
        '<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>',
        '<script src="//cdn.example.com/x.js"></script>',
        '<img src="https://example.com/a.png">',
        '<img srcset="a.png 1x, https://example.com/b.png 2x">',
        '<style>@import "https://example.com/x.css";</style>',
        "<div style=\"background: url('http://example.com/x.png')\"></div>",
    ],
)
def test_a_resource_from_another_host_is_found(tmp_path: Path, html: str) -> None:
    assert len(external_resources(_site(tmp_path, html))) == 1


def test_a_stylesheet_that_loads_a_remote_font_is_found(tmp_path: Path) -> None:
    css = "@font-face { src: url(https://fonts.gstatic.com/s/roboto.woff2) }"

    found = external_resources(_site(tmp_path, "<p>hi</p>", css))

    assert found == ["assets/main.css: https://fonts.gstatic.com/s/roboto.woff2"]


def test_links_and_the_sites_own_files_are_not_resources_from_elsewhere(tmp_path: Path) -> None:
    html = (
        '<a href="https://github.com/fieldsync/fieldsync">source</a>'
        '<link rel="canonical" href="https://example.com/docs/">'
        '<link rel="stylesheet" href="assets/main.css">'
        '<script src="../assets/javascripts/bundle.js"></script>'
        '<svg xmlns="http://www.w3.org/2000/svg"></svg>'
        "<div style=\"background: url('img/x.png')\"></div>"
    )

    assert external_resources(_site(tmp_path, html, "a { background: url(x.svg) }")) == []

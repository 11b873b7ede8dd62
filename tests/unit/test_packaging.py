"""What the installed distribution says about itself (the metadata pip and PyPI show)."""

from __future__ import annotations

from importlib.metadata import metadata
from pathlib import Path

META = metadata("fieldsync")


def test_the_mit_license_text_ships_with_the_distribution() -> None:
    license_file = Path(__file__).parents[2] / "LICENSE"

    assert ("MIT", ["LICENSE"]) == (META["License-Expression"], META.get_all("License-File"))
    assert license_file.read_text(encoding="utf-8").startswith("MIT License")


def test_the_project_links_are_declared() -> None:
    names = {entry.split(",")[0] for entry in META.get_all("Project-URL") or []}

    assert {"Homepage", "Documentation", "Changelog", "Issues"} == names


def test_the_classifiers_name_the_status_and_each_supported_python() -> None:
    classifiers = set(META.get_all("Classifier") or [])

    assert {
        "Development Status :: 3 - Alpha",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
    } <= classifiers


def test_the_extras_are_declared() -> None:
    assert {"testing", "otel"} <= set(META.get_all("Provides-Extra") or [])

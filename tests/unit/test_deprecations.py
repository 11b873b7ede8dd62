"""The renamed errors: old names still work for a while, and say so."""

import importlib

import pytest

import fieldsync
import fieldsync.exceptions

RENAMED = {
    "DisclaimerNotAcknowledged": "DisclaimerNotAcknowledgedError",
    "InvalidConfiguration": "InvalidConfigurationError",
    "InvalidTransition": "InvalidTransitionError",
    "SyncAlreadyRunning": "SyncAlreadyRunningError",
}


@pytest.mark.parametrize("module_name", ["fieldsync", "fieldsync.exceptions"])
@pytest.mark.parametrize(("old", "new"), sorted(RENAMED.items()))
def test_an_old_error_name_is_the_new_class_after_a_deprecation_warning(
    module_name: str, old: str, new: str
) -> None:
    module = importlib.import_module(module_name)
    with pytest.warns(DeprecationWarning, match=f"use {new}"):
        alias = getattr(module, old)
    assert getattr(fieldsync.exceptions, new) is alias


def test_an_old_name_catches_what_fieldsync_raises() -> None:
    with pytest.warns(DeprecationWarning, match="InvalidTransitionError"):
        old = fieldsync.exceptions.InvalidTransition
    with pytest.raises(old):
        raise fieldsync.exceptions.InvalidTransitionError("draft", "pause")


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        fieldsync.exceptions.Nope  # type: ignore[attr-defined]  # noqa: B018


def test_old_names_are_not_exported() -> None:
    assert set(RENAMED).isdisjoint(fieldsync.__all__)
    assert set(RENAMED).isdisjoint(fieldsync.exceptions.__all__)


def test_not_found_is_no_configuration_error() -> None:
    assert not issubclass(fieldsync.exceptions.NotFoundError, fieldsync.ConfigurationError)


def test_the_old_views_module_still_imports_with_a_warning() -> None:
    import sys

    sys.modules.pop("fieldsync.views", None)
    with pytest.warns(DeprecationWarning, match="fieldsync.views is deprecated"):
        views = importlib.import_module("fieldsync.views")
    assert fieldsync.Preview is views.Preview

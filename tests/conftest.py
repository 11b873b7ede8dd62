"""fieldsync's pytest plugin, for this suite's own tests of it.

``make test`` turns the plugin's entry point off (``-p no:fieldsync``) and loads it here
instead: pytest imports entry-point plugins before coverage starts, and importing the plugin
imports fieldsync, whose module-level lines would then go unmeasured. A plain ``pytest`` run
has the entry point's plugin already and loads nothing more.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("fieldsync"):
        config.pluginmanager.import_plugin("fieldsync.testing.pytest_plugin")

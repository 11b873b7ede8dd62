"""What the CLI tests share: a configuration of the fake adapters, and running the command."""

from pathlib import Path

from fieldsync.cli import main

CONFIG = """
[store]
path = "state/fieldsync.db"

[integrations.crm]
type = "python"
source = "cli_adapters:make_source"
target = "cli_adapters:make_target"

[[syncs]]
name = "Customers"
integration = "crm"
list_key = "news"
criteria = 'country == "India"'
schedule = { every_hours = 6 }
mapping = [
  ["email", "Contact Email"],
  ["first_name", "First Name"],
  { source = "country", target = "Country", create = true },
]
"""


def fieldsync(config: Path, *args: str) -> int:
    return main(["--config", str(config), *args])

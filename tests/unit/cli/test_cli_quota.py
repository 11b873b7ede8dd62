"""The CLI shares Zoho's limits through its store: each command is a new process."""

import gc
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldsync.cli import main
from fieldsync.testing.emulators.serve import EmulatorServer


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(port=0, contacts=10, seed=2) as served:
        yield served


def write_config(tmp_path: Path, server: EmulatorServer, extra: str = "") -> Path:
    credentials = server.credentials
    urls = "\n".join(f'{name} = "{url}"' for name, url in server.urls.items())
    path = tmp_path / "fieldsync.toml"
    path.write_text(
        f"""
[integrations.zoho]
type = "zoho"
organization_id = "{server.organization.organization_id}"
client_id = "{credentials.client_id}"
client_secret = "{credentials.client_secret}"
refresh_token = "{credentials.refresh_token}"
{urls}
{extra}

[[syncs]]
name = "Customers"
integration = "zoho"
list_key = "{server.list_key}"
mapping = [["email", "Contact Email"]]
""",
        encoding="utf-8",
    )
    return path


def test_consecutive_commands_reuse_one_access_token_through_the_store(
    tmp_path: Path, server: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, server, "quota_share = 0.8")

    codes = [main(["--config", str(config), "preview", "Customers"]) for _ in range(3)]

    capsys.readouterr()
    assert codes == [0, 0, 0]
    assert server.accounts.minted == 1
    # The CLI does not close the OAuth client's connections (the adapters' lifecycle is
    # another change); collect them here rather than in whichever test runs next.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.mark.parametrize("share", ["0", "1.5", '"half"', "true"])
def test_a_quota_share_outside_zero_to_one_is_one_line_naming_it(
    tmp_path: Path, server: EmulatorServer, capsys: pytest.CaptureFixture[str], share: str
) -> None:
    config = write_config(tmp_path, server, f"quota_share = {share}")

    code = main(["--config", str(config), "syncs"])

    err = capsys.readouterr().err
    assert code == 2
    assert "quota_share" in err

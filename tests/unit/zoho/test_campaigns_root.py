"""Where the Campaigns adapter finds its API, from the token answer's api_domain."""

import pytest

from fieldsync.zoho._datacentres import campaigns_root, data_centre


@pytest.mark.parametrize(
    ("api_domain", "expected"),
    [
        ("https://www.zohoapis.eu", "https://campaigns.zoho.eu/api/v1.1"),
        ("https://www.zohoapis.in/", "https://campaigns.zoho.in/api/v1.1"),
        (None, "https://campaigns.zoho.com/api/v1.1"),
        ("", "https://campaigns.zoho.com/api/v1.1"),
    ],
)
def test_a_zoho_api_domain_maps_to_its_data_centres_campaigns_host(
    api_domain: str | None, expected: str
) -> None:
    assert expected == campaigns_root(api_domain, data_centre("com"))


def test_a_server_that_is_not_zohos_serves_campaigns_itself() -> None:
    assert "http://127.0.0.1:8900/api/v1.1" == campaigns_root(
        "http://127.0.0.1:8900", data_centre("com")
    )


def test_an_unknown_zoho_domain_falls_back_to_the_configured_data_centre() -> None:
    assert "https://campaigns.zoho.eu/api/v1.1" == campaigns_root(
        "https://www.zohoapis.xx", data_centre("eu")
    )

"""CORS is built from the listed origins only: none means no CORS at all, wildcards are refused."""

import pytest

from api.security import ALLOWED_HEADERS, cors_config


def test_no_listed_origin_means_no_cors_configuration():
    assert cors_config("") is None
    assert cors_config(" , ") is None


def test_listed_origins_are_allowed_exactly_with_the_api_methods_and_headers():
    config = cors_config("https://dichvucong.tinh.gov.vn/, https://motcua.tinh.gov.vn")
    assert config is not None
    assert config.allow_origins == ["https://dichvucong.tinh.gov.vn", "https://motcua.tinh.gov.vn"]
    assert config.is_origin_allowed("https://motcua.tinh.gov.vn")
    assert not config.is_origin_allowed("https://motcua.tinh.gov.vn.evil.example")
    assert config.allow_methods == ["GET", "POST", "PATCH"] and config.allow_headers == [h.lower() for h in ALLOWED_HEADERS]
    assert config.allow_credentials is False


@pytest.mark.parametrize("origins", ["*", "https://*.gov.vn", "https://a.gov.vn,*"])
def test_a_wildcard_origin_is_refused(origins):
    with pytest.raises(ValueError, match="wildcards"):
        cors_config(origins)

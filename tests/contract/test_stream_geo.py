"""Where a viewer is: proxy headers believed only from trusted proxies, MaxMind databases
(small ones written here with mmdb-writer, in MaxMind's record layout), and the chain."""

from __future__ import annotations

from pathlib import Path

import pytest
from mmdb_writer import MmdbF64, MMDBWriter
from netaddr import IPSet

from showgeo_adapters.geo import (
    LocatorChain,
    MaxMindLocator,
    ProxyHeaderLocator,
    TrustedProxies,
    UnknownLocator,
)
from showgeo_domain.events.geo import GeoPoint
from showgeo_domain.streaming.model import UNKNOWN_LOCATION, Location
from showgeo_domain.streaming.ports import ClientAddress

PROXY = "10.0.0.7"
PROXIES = TrustedProxies(["10.0.0.0/24", "::1"])


def _record(iso: str, lat: float | None = None, lon: float | None = None) -> dict:
    record: dict = {"country": {"iso_code": iso, "names": {"en": iso}}}
    if lat is not None and lon is not None:
        record["location"] = {"latitude": MmdbF64(lat), "longitude": MmdbF64(lon)}
    return record


@pytest.fixture
def city_db(tmp_path: Path) -> Path:
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-City")
    writer.insert_network(IPSet(["81.84.0.0/16"]), _record("PT", 38.7223, -9.1393))
    writer.insert_network(IPSet(["88.0.0.0/16"]), _record("ES", 40.4168, -3.7038))
    writer.insert_network(IPSet(["2001:db8::/32"]), _record("FR", 48.8566, 2.3522))
    path = tmp_path / "city.mmdb"
    writer.to_db_file(str(path))
    return path


@pytest.fixture
def country_db(tmp_path: Path) -> Path:
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-Country")
    writer.insert_network(IPSet(["81.84.0.0/16"]), _record("PT"))
    path = tmp_path / "country.mmdb"
    writer.to_db_file(str(path))
    return path


HEADERS = ProxyHeaderLocator(
    PROXIES,
    country_header="CF-IPCountry",
    latitude_header="CF-IPLatitude",
    longitude_header="CF-IPLongitude",
)


def test_proxy_headers_are_believed_from_trusted_proxies_only():
    said = {"cf-ipcountry": "pt", "cf-iplatitude": "38.72", "cf-iplongitude": "-9.14"}
    assert HEADERS.locate(ClientAddress(PROXY, said)) == Location("PT", GeoPoint(38.72, -9.14))
    assert HEADERS.locate(ClientAddress("::1", said)).country == "PT"
    assert HEADERS.locate(ClientAddress("203.0.113.9", said)) == UNKNOWN_LOCATION
    assert HEADERS.locate(ClientAddress(None, said)) == UNKNOWN_LOCATION


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"cf-ipcountry": "XX"}, UNKNOWN_LOCATION),  # the CDN does not know either
        ({"cf-ipcountry": "T1"}, UNKNOWN_LOCATION),  # Tor
        ({"cf-ipcountry": "Portugal"}, UNKNOWN_LOCATION),
        ({"cf-iplatitude": "91", "cf-iplongitude": "0"}, UNKNOWN_LOCATION),
        ({"cf-iplatitude": "nan", "cf-iplongitude": "0"}, UNKNOWN_LOCATION),
        ({"cf-iplatitude": "10"}, UNKNOWN_LOCATION),
        ({}, UNKNOWN_LOCATION),
    ],
)
def test_bad_or_missing_headers_mean_unknown(headers, expected):
    assert HEADERS.locate(ClientAddress(PROXY, headers)) == expected


def test_maxmind_city(city_db):
    locator = MaxMindLocator(city_db)
    try:
        assert locator.locate(ClientAddress("81.84.1.2")) == Location(
            "PT", GeoPoint(38.7223, -9.1393)
        )
        assert locator.locate(ClientAddress("2001:db8::1")).country == "FR"
        assert locator.locate(ClientAddress("192.0.2.1")) == UNKNOWN_LOCATION  # not in the db
        assert locator.locate(ClientAddress("not-an-ip")) == UNKNOWN_LOCATION
        assert locator.locate(ClientAddress(None)) == UNKNOWN_LOCATION
    finally:
        locator.close()


def test_maxmind_country_database_gives_the_country_only(country_db):
    locator = MaxMindLocator(country_db)
    try:
        assert locator.locate(ClientAddress("81.84.1.2")) == Location("PT")
    finally:
        locator.close()


def test_maxmind_reads_the_client_behind_trusted_proxies_only(city_db):
    locator = MaxMindLocator(city_db, PROXIES)
    try:
        # behind our proxy: the right-most address that is not ours is the client
        via_proxy = ClientAddress(PROXY, {"x-forwarded-for": "88.0.1.1, 81.84.1.2, 10.0.0.3"})
        assert locator.locate(via_proxy).country == "PT"
        # from anyone else the header is ignored: the peer is the client
        direct = ClientAddress("88.0.9.9", {"x-forwarded-for": "81.84.1.2"})
        assert locator.locate(direct).country == "ES"
        garbage = ClientAddress(PROXY, {"x-forwarded-for": "81.84.1.2, nonsense"})
        assert locator.locate(garbage) == UNKNOWN_LOCATION
    finally:
        locator.close()


def test_the_chain_completes_one_locator_with_another(city_db):
    maxmind = MaxMindLocator(city_db, PROXIES)
    country_only = ProxyHeaderLocator(PROXIES, country_header="cf-ipcountry")
    try:
        chain = LocatorChain([country_only, maxmind])
        found = chain.locate(
            ClientAddress(PROXY, {"cf-ipcountry": "ES", "x-forwarded-for": "81.84.1.2"})
        )
        # the header's country first; the coordinates from MaxMind
        assert found == Location("ES", GeoPoint(38.7223, -9.1393))
        assert LocatorChain([UnknownLocator()]).locate(ClientAddress(PROXY)) == UNKNOWN_LOCATION
    finally:
        maxmind.close()


def test_trusted_proxies_refuse_bad_networks():
    with pytest.raises(ValueError, match="not an address"):
        TrustedProxies(["10.0.0.0/33"])

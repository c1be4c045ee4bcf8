"""Hostnames of portals: pure rules."""

from edugate.portal.hosts import disambiguated, dns_label, portal_hostname, root_url


def test_development_hosts_use_the_label_and_the_suffix() -> None:
    assert portal_hostname(code="TH-A", own_domain=None, department_domain="minhhai.edu.vn",
                           suffix="localhost") == "th-a.localhost"
    assert portal_hostname(code="X", own_domain="thcs-abc.minhhai.edu.vn",
                           department_domain="minhhai.edu.vn",
                           suffix="localhost") == "thcs-abc.localhost"


def test_production_hosts_use_the_own_domain_else_the_departments() -> None:
    assert portal_hostname(code="TH-A", own_domain="th-a.minhhai.edu.vn",
                           department_domain="minhhai.edu.vn", suffix="") == "th-a.minhhai.edu.vn"
    assert portal_hostname(code="TH-A", own_domain=None, department_domain="minhhai.edu.vn",
                           suffix="") == "th-a.minhhai.edu.vn"


def test_labels_are_dns_safe() -> None:
    assert dns_label("Trường Đông Hà/01") == "truong-dong-ha-01"
    assert dns_label("---") == "portal"
    assert len(dns_label("x" * 100)) == 63
    assert disambiguated("th-a.localhost", "TH.A") == "th-a-th-a.localhost"


def test_root_urls() -> None:
    assert root_url("a.localhost", 8000) == "http://a.localhost:8000"
    assert root_url("a.vn", 80) == "http://a.vn"
    assert root_url("a.vn", 443) == "https://a.vn"

from __future__ import annotations

import hashlib
import json

from cobro.web.templates import STATIC

VENDOR = STATIC / "vendor"


def test_every_vendored_file_matches_its_recorded_hash() -> None:
    record = json.loads((VENDOR / "vendor.json").read_text())
    assert "htmx.min.js" in record
    for name, entry in record.items():
        digest = hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
        assert digest == entry["sha256"], f"{name} differs from the file recorded in vendor.json"
        assert entry["source"].startswith("https://registry.npmjs.org/")
        assert entry["tarball_integrity"].startswith("sha512-")


def test_the_pages_load_the_vendored_htmx() -> None:
    base = (STATIC.parent / "templates" / "base.html").read_text()
    assert 'src="/static/vendor/htmx.min.js"' in base


def test_the_dashboard_loads_the_vendored_chart_js() -> None:
    record = json.loads((VENDOR / "vendor.json").read_text())
    assert record["chart.umd.min.js"]["package"] == "chart.js"
    assert record["chart.umd.min.js"]["version"].startswith("4.")
    assert (VENDOR / "chart.js.LICENSE").exists()
    home = (STATIC.parent / "templates" / "home.html").read_text()
    assert 'src="/static/vendor/chart.umd.min.js"' in home
    assert 'src="/static/dashboard.js"' in home


def test_the_api_docs_load_the_vendored_swagger_ui() -> None:
    record = json.loads((VENDOR / "vendor.json").read_text())
    assert record["swagger-ui-bundle.js"]["package"] == "swagger-ui-dist"
    assert record["swagger-ui.css"]["version"] == record["swagger-ui-bundle.js"]["version"]
    assert (VENDOR / "swagger-ui.LICENSE").exists()
    docs = (STATIC.parent / "templates" / "api_docs.html").read_text()
    assert 'src="/static/vendor/swagger-ui-bundle.js"' in docs
    assert 'href="/static/vendor/swagger-ui.css"' in docs
    assert "<script>" not in docs  # started by static/api-docs.js: no inline script

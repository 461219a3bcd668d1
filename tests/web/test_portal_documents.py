"""The portal's downloads: a PDF copy of each open invoice, the letters sent to the debtor, the
EPC QR code of each euro invoice, and the "Pay online" button when a provider is configured.
Only the debtor's own, through the signed link: anything else is refused."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from fastapi import FastAPI

from cobro.app import create_app
from cobro.config import Settings
from cobro.kit.dates import utcnow
from cobro.portal.links import portal_token
from tests.web.conftest import SECRET, client_of
from tests.web.portal_world import LETTER, Portal, build_portal

PAY = "https://pay.example.com/checkout?ref={reference}&amount={amount}&currency={currency}"


@pytest.fixture(scope="module")
def portal(web_database_url: str) -> Portal:
    return build_portal(web_database_url)


def _get(app: FastAPI, path: str) -> tuple[int, dict[str, str], bytes]:
    with client_of(app) as client:
        answer = client.get(path)
    return answer.status_code, dict(answer.headers), answer.content


def test_the_page_links_each_invoice_pdf_and_qr_and_the_letters(
    app: FastAPI, portal: Portal
) -> None:
    token = portal.token()
    status, _headers, body = _get(app, f"/portal/{token}")
    page = body.decode()
    assert status == 200
    assert f'href="/portal/{token}/pdf/{quote(portal.euro, safe="")}"' in page
    assert f'href="/portal/{token}/pdf/{quote(portal.dollars, safe="")}"' in page
    assert f'src="/portal/{token}/qr/{quote(portal.euro, safe="")}"' in page
    assert f"/qr/{quote(portal.dollars, safe='')}" not in page  # no EPC code for dollars
    assert f'href="/portal/{token}/documents/{portal.letter}"' in page
    assert f"/documents/{portal.email}" not in page  # emails are not offered
    assert f"/documents/{portal.neighbours_letter}" not in page
    assert "Pay online" not in page  # no provider configured
    assert 'src="data:' not in page  # the CSP allows same-origin images only


def test_an_invoice_pdf_downloads(app: FastAPI, portal: Portal) -> None:
    path = f"/portal/{portal.token()}/pdf/{quote(portal.euro, safe='')}"
    status, headers, body = _get(app, path)
    assert status == 200
    assert headers["content-type"] == "application/pdf"
    safe_number = portal.euro.replace("/", "_")
    assert headers["content-disposition"] == f'attachment; filename="invoice-{safe_number}.pdf"'
    assert headers["cache-control"] == "private, no-store"
    assert body.startswith(b"%PDF")


def test_a_sent_letter_downloads(app: FastAPI, portal: Portal) -> None:
    status, headers, body = _get(app, f"/portal/{portal.token()}/documents/{portal.letter}")
    assert status == 200
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("attachment; filename=")
    assert body.startswith(LETTER)


def test_the_qr_code_is_a_same_origin_svg(app: FastAPI, portal: Portal) -> None:
    status, headers, body = _get(app, f"/portal/{portal.token()}/qr/{quote(portal.euro, safe='')}")
    assert status == 200
    assert headers["content-type"] == "image/svg+xml"
    assert body.startswith(b"<svg")
    assert f"<title>SEPA QR {portal.euro}</title>".encode() in body
    assert b"<script" not in body


@pytest.mark.parametrize(
    "what",
    [
        "neighbour's invoice",
        "foreign invoice",
        "unknown invoice",
        "neighbour's letter",
        "foreign letter",
        "an email",
        "unknown document",
        "dollar qr",
        "neighbour's qr",
    ],
)
def test_not_the_debtors_own_is_not_found(app: FastAPI, portal: Portal, what: str) -> None:
    path = {
        "neighbour's invoice": f"pdf/{portal.neighbours_invoice}",
        "foreign invoice": f"pdf/{portal.foreign_invoice}",
        "unknown invoice": "pdf/NO-SUCH-1",
        "neighbour's letter": f"documents/{portal.neighbours_letter}",
        "foreign letter": f"documents/{portal.foreign_letter}",
        "an email": f"documents/{portal.email}",
        "unknown document": "documents/999999999",
        "dollar qr": f"qr/{portal.dollars}",
        "neighbour's qr": f"qr/{portal.neighbours_invoice}",
    }[what]
    status, headers, body = _get(app, f"/portal/{portal.token()}/{path}")
    assert status == 404
    assert headers["content-type"].startswith("text/html")
    assert LETTER not in body
    assert b"%PDF" not in body


@pytest.mark.parametrize("kind", ["tampered", "expired", "another customer's", "foreign"])
@pytest.mark.parametrize("download", ["pdf", "letter", "qr"])
def test_bad_tokens_download_nothing(
    app: FastAPI, portal: Portal, kind: str, download: str
) -> None:
    good = portal.token()
    token = {
        "tampered": good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        "expired": portal.token(days=-1),
        # a valid link, of another customer: the debtor's documents are not theirs
        "another customer's": portal.token(portal.neighbour),
        # a validly signed triple naming company B with company A's customer
        "foreign": portal_token(
            SECRET, portal.world.b.id, portal.customer, utcnow() + timedelta(days=1)
        ),
    }[kind]
    path = {
        "pdf": f"pdf/{quote(portal.euro, safe='')}",
        "letter": f"documents/{portal.letter}",
        "qr": f"qr/{quote(portal.euro, safe='')}",
    }[download]
    status, _headers, body = _get(app, f"/portal/{token}/{path}")
    assert status in (403, 404)
    if kind != "another customer's":
        assert status == 403
    assert LETTER not in body
    assert not body.startswith((b"%PDF", b"<svg"))


def test_pay_online_when_a_provider_is_configured(web_database_url: str, portal: Portal) -> None:
    app = create_app(
        Settings(database_url=web_database_url, company=None, secret_key=SECRET, payment_link=PAY)
    )
    status, _headers, body = _get(app, f"/portal/{portal.token()}")
    page = body.decode()
    assert status == 200
    links = re.findall(r'<a class="button pay" href="([^"]+)"', page)
    assert len(links) == 2  # one per open invoice
    assert any("amount=1234.56&amp;currency=EUR" in link for link in links)
    assert any("amount=99.00&amp;currency=USD" in link for link in links)
    assert all(link.startswith("https://pay.example.com/checkout?ref=RF") for link in links)


def test_a_broken_provider_template_shows_no_button(web_database_url: str, portal: Portal) -> None:
    app = create_app(
        Settings(
            database_url=web_database_url,
            company=None,
            secret_key=SECRET,
            payment_link="javascript:alert(1)//{reference}",
        )
    )
    status, _headers, body = _get(app, f"/portal/{portal.token()}")
    assert status == 200
    assert b"Pay online" not in body
    assert b"javascript:" not in body

"""The case file: a ZIP of the case's customer's statement, invoice copies, every document sent
(byte for byte, with the stored hash), the recorded interest with its computation, contacts,
notes and the case; a manifest with each file's SHA-256; nothing of anyone else's."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest

from cobro.errors import NotFound
from cobro.legal.casefile import case_file
from cobro.legal.cases import CaseIn, move_case, open_case
from tests.factories.ledger import make_customer, make_invoice
from tests.legal.conftest import ON, Books, send


def built(books: Books) -> zipfile.ZipFile:
    details = CaseIn(lawyer="L. Gómez", guarantees="Mortgage on the warehouse at Getafe")
    case = open_case(books.session, books.company, "ACME", ON, details)
    move_case(books.session, books.company, case.id, "claim_filed", ON, "claim no. 123/2026")
    return zipfile.ZipFile(io.BytesIO(case_file(books.session, books.company, case.id, ON)))


def rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode())))


def test_every_file_is_in_the_manifest_with_its_hash(books: Books) -> None:
    archive = built(books)
    manifest = json.loads(archive.read("manifest.json"))
    listed = {entry["name"]: entry for entry in manifest["files"]}
    names = set(archive.namelist())
    assert names - {"manifest.json"} == set(listed)
    for name, entry in listed.items():
        data = archive.read(name)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), name
        assert entry["size"] == len(data)
    assert {
        "case.json",
        "statement.pdf",
        "invoices/F-2026_001.pdf",
        "invoices/F-2026_002.pdf",
        "messages/deliveries.csv",
        "interest.csv",
        "interest.txt",
        "contacts.csv",
        "notes.csv",
    } <= names
    assert archive.read("statement.pdf").startswith(b"%PDF")
    assert archive.read("invoices/F-2026_001.pdf").startswith(b"%PDF")
    assert archive.namelist()[-1] == "manifest.json"


def test_a_sent_document_is_there_byte_for_byte_with_its_stored_hash(books: Books) -> None:
    archive = built(books)
    document = books.document
    name = f"messages/{document.action_id}-email.eml"
    assert archive.read(name) == document.content
    assert hashlib.sha256(archive.read(name)).hexdigest() == document.sha256
    [delivery] = rows(archive, "messages/deliveries.csv")
    assert delivery["action"] == str(document.action_id)
    assert (delivery["kind"], delivery["stage"], delivery["status"]) == ("email", "reminder-1",
                                                                         "sent")  # fmt: skip
    assert delivery["sha256"] == document.sha256
    assert delivery["document"] == f"{document.action_id}-email.eml"
    assert "retry (421 busy)" in delivery["attempts"]
    assert delivery["attempts"].endswith("sent")


def test_the_interest_contacts_notes_and_case_are_told(books: Books) -> None:
    archive = built(books)
    [interest] = rows(archive, "interest.csv")
    assert (interest["invoice"], interest["kind"], interest["amount"]) == (
        "F-2026/001",
        "interest",
        "10.01",
    )
    assert json.loads(interest["computation"])["stretches"][0]["rate"] == "10.15"
    text = archive.read("interest.txt").decode()
    assert "2026-03-03 to 2026-04-01: 30 days at 10.15 % / 365 on 1200.00" in text
    [contact] = rows(archive, "contacts.csv")
    assert (contact["name"], contact["email"], contact["city"]) == (
        "Marta Ruiz",
        "marta@acme.example",
        "Madrid",
    )
    [note] = rows(archive, "notes.csv")
    assert note["body"] == "Says the buyer left; call finance."
    case = json.loads(archive.read("case.json"))
    assert case["guarantees"] == "Mortgage on the warehouse at Getafe"
    assert [step["stage"] for step in case["steps"]] == ["pre_legal", "claim_filed"]
    assert case["steps"][1]["note"] == "claim no. 123/2026"
    assert case["customer"]["id"] == "ACME"
    assert [i["number"] for i in case["open_invoices"]] == ["F-2026/001", "F-2026/002"]
    assert case["amount"] == 1500_00


def test_nothing_of_another_customer_or_company_is_in_it(books: Books) -> None:
    near = make_customer(books.session, books.company, "NEAR", name="Vecino Secreto S.L.")
    make_invoice(books.session, books.company, near, 50_00, number="NEAR-1")
    send(books.session, near, "reminder-1", b"Secret letter to the neighbour", "near.eml")
    archive = built(books)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    for secret in (b"Secret", b"SECRET-1", b"NEAR-1", b"Vecino", b"OTHER"):
        assert secret not in everything
    assert not any("near" in name or "secret" in name for name in archive.namelist())


def test_the_same_case_on_the_same_day_gives_the_same_bytes(books: Books) -> None:
    case = open_case(books.session, books.company, "ACME", ON)
    first = case_file(books.session, books.company, case.id, ON)
    assert case_file(books.session, books.company, case.id, ON) == first


def test_another_company_s_case_file_is_not_found(books: Books) -> None:
    theirs = open_case(books.session, books.other_company, "OTHER", ON)
    with pytest.raises(NotFound):
        case_file(books.session, books.company, theirs.id, ON)

"""The web UI in the user's language: French pages for a user who chose French (or whose
browser asks for it), dates, numbers and money written the French way, dates typed the
French way; English stays the default; every text of the catalogs is translated."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.db import db
from core.env import Env
from core.testing.web import csrf_token, sign_in

pytestmark = pytest.mark.spectrum_addons("contacts", "sales")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def deal(app, admin):
    records = Env.system().records
    account = records.create("accounts", {"name": "Analytical Engines"})
    stage = records.search("pipeline_stages", order=["sequence"], limit=1).records[0]
    deal = records.create("opportunities", {"name": "Engines: support", "account_id": account.id, "amount": "30300",
                                            "currency": "USD", "stage_id": stage.id, "close_date": "2026-03-31"})
    db.session.commit()
    return deal


def _set_language(client, token, locale):
    answer = client.post("/account/language", data={"csrf_token": token, "locale": locale})
    assert answer.status_code == 303


def test_a_user_who_chose_french_reads_french_with_french_dates_and_numbers(client, admin, deal):
    token = sign_in(client, "admin")
    english = client.get(f"/m/opportunities/{deal.id}").get_data(as_text=True)
    assert ">Edit</a>" in english and "30,300.00 USD" in english and "2026-03-31" in english
    _set_language(client, token, "fr")
    db.session.rollback()
    assert Env.system().records.get("users", admin.id).locale == "fr"
    page = client.get(f"/m/opportunities/{deal.id}").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert ">Modifier</a>" in page and ">Modifications</h2>" in page and "Se déconnecter" in page
    assert re.search(r"30\s300,00 USD", page), "French separators, the amount's currency"
    assert "31/03/2026" in page and "2026-03-31" not in page
    assert "Montant" in page, "declared field labels are translated too"
    listing = client.get("/m/contacts").get_data(as_text=True)
    assert "Exporter en CSV" in listing and "Rechercher" in listing
    assert "Mes contacts" in listing, "a search's named filters too"
    board = client.get("/dashboards/sales").get_data(as_text=True)
    assert "Gagné ce mois-ci" in board and "Pipeline ouvert par étape" in board, "KPI and chart titles too"


def test_a_date_typed_the_french_way_is_read_and_a_wrong_one_is_refused_beside_the_field(client, admin, deal):
    token = sign_in(client, "admin")
    _set_language(client, token, "fr")
    form = client.get(f"/m/opportunities/{deal.id}/edit").get_data(as_text=True)
    assert re.search(r'<input type="text" id="f-close_date" name="close_date"[^>]*value="31/03/2026"', form)
    assert 'placeholder="dd/MM/yyyy"' in form
    token = csrf_token(form)
    wrong = client.post(f"/m/opportunities/{deal.id}/edit", data={"csrf_token": token, "version": deal.version,
                                                                  "close_date": "31/13/2026"})
    assert wrong.status_code == 422 and "Date invalide : écrivez-la sous la forme dd/MM/yyyy." in wrong.get_data(
        as_text=True)
    saved = client.post(f"/m/opportunities/{deal.id}/edit", data={"csrf_token": token, "version": deal.version,
                                                                  "close_date": "15/04/2026"})
    assert saved.status_code == 303
    db.session.rollback()
    assert Env.system().records.get("opportunities", deal.id).close_date.isoformat() == "2026-04-15"


def test_the_browsers_language_decides_when_the_user_chose_none(client, admin):
    page = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert "Se connecter" in page and "Identifiant" in page
    page = client.get("/login", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert "Sign in" in page, "a language we do not have falls back to English"


def test_every_text_of_the_catalogs_is_translated():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "i18n.py"), "--check"], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr

"""`cpambot parse`, `cpambot cases`, `cpambot case`: French text and stable JSON."""

from __future__ import annotations

import json

from cpambot.cli.main import main
from cpambot.demo.run import demo_maildir, run_demo

ARL_POSITIVE = next(p for p in (demo_maildir() / "cur").iterdir() if ".M5P1." in p.name)
NOEMIE_REJECT = next(p for p in (demo_maildir() / "cur").iterdir() if ".M8P1." in p.name)
PHISHING = next(p for p in (demo_maildir() / "cur").iterdir() if ".M14P1." in p.name)


def test_parse_json_is_stable(tmp_path, capsys, monkeypatch):
    """GIVEN a NOEMIE reject return WHEN `cpambot parse --json` THEN the documented keys are there,
    the amount is a string in euros and nothing was written anywhere."""
    monkeypatch.setenv("CPAMBOT_CONFIG", str(tmp_path / "absent.toml"))
    assert main(["parse", "--json", str(NOEMIE_REJECT)]) == 2  # explicit config that does not exist
    monkeypatch.delenv("CPAMBOT_CONFIG")
    monkeypatch.setenv("HOME", str(tmp_path))
    capsys.readouterr()
    assert main(["parse", "--json", str(NOEMIE_REJECT)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["kind"] == "noemie" and report["caisse"] == "974"
    (fact,) = report["facts"]
    assert {k: fact[k] for k in ("kind", "caisse", "lot", "invoice", "amount", "reject_code")} == {
        "kind": "invoice_rejected", "caisse": "974", "lot": "042", "invoice": "000012347",
        "amount": "5.67", "reject_code": "0250"}
    assert fact["case"]["state"] == "open" and isinstance(fact["deadlines"], list)
    assert not list(tmp_path.glob("**/store/meta.json"))


def test_parse_text_shows_deadline(capsys, monkeypatch, tmp_path):
    """GIVEN an ARL positif WHEN parsed THEN the French output shows the payment deadline."""
    monkeypatch.setenv("HOME", str(tmp_path))
    assert main(["parse", str(ARL_POSITIVE)]) == 0
    out = capsys.readouterr().out
    assert "ARL" in out and "lot 042" in out and "échéance 11/03/2026" in out


def test_parse_phishing(capsys, monkeypatch, tmp_path):
    """GIVEN a look-alike WHEN parsed THEN it is shown as such, with no fact."""
    monkeypatch.setenv("HOME", str(tmp_path))
    assert main(["parse", str(PHISHING)]) == 0
    out = capsys.readouterr().out
    assert "usurpation" in out and "Aucun fait" in out


def test_cases_and_case_commands(tmp_path, capsys):
    """GIVEN the demo processed WHEN `cpambot cases` and `cpambot case` run THEN the rejected invoice
    is listed, its detail has history and advice, and --json has the documented keys."""
    assert run_demo(tmp_path / "d") == 0
    capsys.readouterr()
    assert main(["cases", "--data-dir", str(tmp_path / "d"), "--json"]) == 0
    cases = json.loads(capsys.readouterr().out)
    reject = next(c for c in cases if c["invoice"] == "000012347")
    assert {"id", "type", "state", "caisse", "lot", "invoice", "amount", "reject_code",
            "deadlines"} <= set(reject)
    assert main(["case", reject["id"], "--data-dir", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out
    assert "000012347" in out and "Historique" in out and "Conseil" in out
    assert main(["case", "C999", "--data-dir", str(tmp_path / "d")]) == 1
    assert main(["cases", "--data-dir", str(tmp_path / "d")]) == 0
    assert "000012347" in capsys.readouterr().out


def test_drafts_command(tmp_path, capsys):
    """GIVEN the demo processed WHEN `cpambot drafts` runs THEN each draft shows its code, its state
    and what it waits for, and --json lists the same."""
    assert run_demo(tmp_path / "d") == 0
    capsys.readouterr()
    assert main(["drafts", "--data-dir", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out
    assert "A1" in out and "en attente de votre accord" in out and "il manque" in out
    assert main(["drafts", "--data-dir", str(tmp_path / "d"), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["state"] for r in rows} == {"pending", "missing"} and all(r["sending"] is None for r in rows)


def test_drafts_command_shows_the_state_of_each_sending(tmp_path, capsys):
    """GIVEN the demo processed, one draft approved whose e-mail is uncertain and one whose e-mail was
    refused WHEN `cpambot drafts` runs THEN each line adds the sending state in French, and --json gives
    the state and the reason as stored."""
    from cpambot.approval.draftbook import DRAFTS
    from cpambot.sending.outbox import OUTBOX
    from cpambot.store.database import Store

    assert run_demo(tmp_path / "d") == 0
    capsys.readouterr()
    with Store.open(tmp_path / "d") as store:
        drafts = {d["code"]: d for d in store.values(DRAFTS)}
        for code, state, reason in (("A1", "uncertain", "la connexion a été coupée"),
                                    ("A2", "failed", "refus définitif (550 5.7.1)")):
            message_id = f"<{code.lower()}.1@cpambot.example.org>"
            store.put(DRAFTS, drafts[code]["_key"],
                      {**drafts[code], "state": "approved", "message_id": message_id})
            store.put(OUTBOX, message_id, {
                "message_id": message_id, "purpose": "reclamation", "case_key": drafts[code]["case_key"],
                "draft_key": drafts[code]["_key"], "kind": drafts[code]["kind"], "from": "a@example.org",
                "to": drafts[code]["to"], "cc": [], "recipients": drafts[code]["to"], "subject": "x",
                "size": 0, "raw_b64": "", "state": state, "reason": reason, "attempts": 1,
                "next_attempt": None, "phase": "data", "created": "2026-07-01T09:00:00+00:00",
                "updated": "2026-07-01T09:00:00+00:00",
                "sent_at": None, "smtp_reply": None, "sent_copy": None, "sent_copy_reason": None,
                "copy_attempts": 0, "copy_next": None, "checks": 0, "history": []})
        store.commit()

    assert main(["drafts", "--data-dir", str(tmp_path / "d")]) == 0
    lines = {line[:5].strip(): line for line in capsys.readouterr().out.splitlines()}
    assert "approuvé, envoi : envoi incertain" in lines["A1"] and "envoi : échec" in lines["A2"]
    assert "envoi :" not in lines["A4"]
    assert main(["drafts", "--data-dir", str(tmp_path / "d"), "--json"]) == 0
    rows = {r["code"]: r for r in json.loads(capsys.readouterr().out)}
    assert (rows["A1"]["sending"], rows["A1"]["sending_reason"]) == ("uncertain", "la connexion a été coupée")
    assert (rows["A2"]["sending"], rows["A2"]["sending_reason"]) == ("failed", "refus définitif (550 5.7.1)")
    assert rows["A4"]["sending"] is None and rows["A4"]["sending_reason"] is None


def test_rules_are_listed_and_removed(tmp_path, capsys):
    """GIVEN a store holding one taught rule WHEN `cpambot regles` THEN it is listed in French; WHEN
    removed THEN it is gone, and removing an unknown one is a usage error."""
    from cpambot.service.learning import RULES
    from cpambot.store.database import Store
    from cpambot.understanding.learning import LearnedRule

    data = tmp_path / "data"
    with Store.open(data) as store:
        rule = LearnedRule("R1", "suivi@assurance-maladie.fr", "suivi semaine #", "retour_lots",
                           example="Suivi semaine 15", learned_on="2026-04-20")
        store.put(RULES, "R1", rule.to_doc())
    assert main(["regles", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert "R1 – retour sur le traitement des lots – de suivi@assurance-maladie.fr" in out
    assert main(["regles", "--data-dir", str(data), "--supprimer", "r1"]) == 0
    assert "Règle R1 retirée" in capsys.readouterr().out
    assert main(["regles", "--data-dir", str(data), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["regles", "--data-dir", str(data), "--supprimer", "R9"]) == 2


def test_drafts_table_has_headers_and_whole_addresses(tmp_path, capsys):
    """GIVEN the demo processed WHEN `cpambot drafts` runs THEN the table opens with its column names and
    every address is shown whole, however long."""
    assert run_demo(tmp_path / "d") == 0
    capsys.readouterr()
    assert main(["drafts", "--data-dir", str(tmp_path / "d")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["code", "dossier", "état"] and "destinataires" in lines[0]
    assert any("reclamations-ps.cpam-marne@assurance-maladie.fr" in line for line in lines)

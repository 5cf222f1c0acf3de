"""``cpambot demo``: the whole pipeline on the demo Maildir shipped with the package.

No account, no network: a throw-away data directory receives the store and the
raw copies, exactly as a real run would produce them.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import UTC, date, datetime, time
from importlib import resources
from pathlib import Path
from typing import Any

from cpambot import labels
from cpambot.approval.filing import filing_letter
from cpambot.books.bank import read_statement
from cpambot.books.calendar import deadline_events, to_ics
from cpambot.books.invoicebook import InvoiceBook, tracking_table
from cpambot.books.reconcile import reconcile, reconciliation_lines
from cpambot.books.spreadsheet import to_csv, write_xlsx
from cpambot.books.stats import figures, stats_text
from cpambot.cases.casebook import CaseBook
from cpambot.config.model import Account, Caisse, Config, Professional
from cpambot.demo.paper import REFERENCE as PAPER_REFERENCE
from cpambot.demo.paper import write_paper_maildir
from cpambot.letters.render import euros
from cpambot.mailbox.ledger import LEDGER, LedgerRow
from cpambot.mailbox.senders import Category
from cpambot.service.poll import poll_once
from cpambot.service.report import cases_table, ledger_table, sync_summary
from cpambot.store.database import Store

DEMO_PRO = Professional(nom="Marie Exemple", profession="infirmier", numero_am="974123456", civilite="Madame",
                        email="marie.exemple@example.org", telephone="0262 00 00 00",
                        adresse="1 rue de l'Exemple, 97400 Saint-Denis")


def demo_maildir() -> Path:
    return Path(str(resources.files("cpambot.demo") / "maildir"))


def demo_config(data_dir: Path) -> Config:
    return Config(
        path=None,
        professional=DEMO_PRO,
        accounts=(Account(name="demo", kind="maildir", folders=("INBOX",), path=demo_maildir()),),
        approvers=("marie.exemple@example.org",),
        data_dir=data_dir,
        caisses=(
            Caisse(code="974", name="CGSS de La Réunion", kind="cgss", addresses={
                "annulation": "flux-ps@cgss.re", "reclamation": "reclamations-ps@cgss.re",
                "indus": "regulation-ps@cgss.re", "cra": "cra@cgss.re",
                "conciliateur": "conciliateur@cgss.re"},
                postal={"conciliateur": ("Conciliateur", "CGSS de La Réunion", "4 boulevard Doret",
                                         "97704 Saint-Denis Cedex 9")}),
            Caisse(code="511", name="CPAM de la Marne", kind="cpam", addresses={
                "reclamation": "reclamations-ps.cpam-marne@assurance-maladie.fr",
                "indus": "regulation-ps.cpam-marne@assurance-maladie.fr"}),
            Caisse(code="viamedis", name="Viamedis", kind="amc",
                   addresses={"amc": "releves-ps@viamedis.fr"}),
            Caisse(code="almerys", name="Almerys", kind="amc"),
        ),
        smtp=None,
        # (the demo's mailbox is one season of mail read as current, not an old mailbox: every step of it
        # is still drafted, to show them all)
        horizon_days=365,
    )


def write_outbox(config: Config, store: Store, folder: Path) -> list[Path]:
    """What the bot would send: the digest to the approver, and each draft as the e-mail it
    becomes once approved. Files only: the demo sends nothing."""
    from cpambot.approval.model import DraftState
    from cpambot.clock import FixedClock
    from cpambot.letters.model import Letter
    from cpambot.randomness import SeededRandom
    from cpambot.sending.mime import build_mime
    from cpambot.sending.outbox import Outbox
    from cpambot.service.bootstrap import build_shell

    clock = FixedClock(datetime.combine(DEMO_TODAY, time(9, 0), tzinfo=UTC))
    # A fixed clock and a seeded random source: the demo writes the same e-mails at every run.
    shell = build_shell(config, store, clock=clock, random=SeededRandom("cpambot-demo"),
                        outbox=Outbox(store, None, None, clock))
    shell.drafter.draft_letters(DEMO_TODAY)
    digest_id = shell.approver.send_digest(force=True)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    doc = shell.outbox.get(digest_id) if digest_id else None
    if doc is not None:
        path = folder / "00-digest.eml"
        path.write_bytes(Outbox.raw(doc))
        written.append(path)
    for draft in sorted(shell.drafts.all(), key=lambda d: d.code):
        if draft.state is not DraftState.PENDING:
            continue
        letter = Letter(draft.kind, draft.to, draft.subject, draft.body)
        raw = build_mime(letter, sender=config.professional.email, date=clock.now(),
                         message_id=shell.approver.message_id(draft.code.lower()))
        path = folder / f"{draft.code}-{draft.kind}.eml"
        path.write_bytes(raw)
        written.append(path)
    written.extend(_other_channels(shell, folder))
    return written


def _other_channels(shell: Any, folder: Path) -> list[Path]:
    """How two of the drafts would reach her if their caisse asked for another channel: a réclamation to
    file on amelipro (the text to paste), a saisine of the conciliator posted registered (its PDF)."""
    from dataclasses import replace

    pending = sorted((d for d in shell.drafts.all() if d.state.value == "pending"), key=lambda d: d.code)
    written = []
    filed = next((d for d in pending if d.kind == "reclamation"), None)
    if filed is not None:
        letter = filing_letter(replace(filed, channel="amelipro"), (DEMO_PRO.email,))
        path = folder / f"{filed.code}-amelipro.txt"
        path.write_text(f"Objet : {letter.subject}\n\n{letter.body}", encoding="utf-8")
        written.append(path)
    posted = next((d for d in pending if d.kind == "saisine_conciliateur"), None)
    if posted is not None:
        path = folder / f"{posted.code}-recommande.pdf"
        path.write_bytes(shell.delivery.posting(replace(posted, channel="courrier")).attachments[0].data)
        written.append(path)
    return written


# The demo mailbox tells a story from February to June 2026: it is read as of this date.
DEMO_TODAY = date(2026, 7, 1)


def paper_summary(cases: list[Any], photo: Path) -> str:
    """What became of the photo of a paper letter she sent (the case it opened, from which day)."""
    case = next((c for c in cases if c.reference == PAPER_REFERENCE), None)
    if case is None:
        return (f"\nPhoto d'un courrier papier ({photo}) : non lue (Tesseract n'est pas installé : "
                "sudo apt install tesseract-ocr tesseract-ocr-fra).")
    cra = next((d for d in case.deadlines if d.name == "cra_referral"), None)
    received, dated = case.dates.get("notified"), case.dates.get("notified_dated")
    said = (f"courrier daté du {dated:%d/%m/%Y}, reçu le {received:%d/%m/%Y} selon son message"
            if dated and received else "date de réception à préciser")
    return (f"\nPhoto d'un courrier papier envoyée par Marie ({photo}) : lue par reconnaissance de "
            f"caractères ; dossier {case.id}, {labels.CASE_TYPE.get(case.type, case.type)} de "
            f"{euros(case.amount)} (réf. {case.reference}), {said}"
            + (f" ; saisine de la CRA au plus tard le {cra.due:%d/%m/%Y}." if cra else "."))


def run_demo(data_dir: Path | None = None) -> int:
    target = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="cpambot-demo-"))
    config = demo_config(target)
    photo = write_paper_maildir(target / "papier")  # (her photo of a letter that came by post)
    config = replace(config, accounts=(*config.accounts, Account(name="papier", kind="maildir",
                                                                 folders=("INBOX",), path=target / "papier")))
    print(f"Démonstration : boîte aux lettres fictive {demo_maildir()}")
    print(f"Données de la démonstration : {target}")
    print(f"Date de référence de la démonstration : {DEMO_TODAY:%d/%m/%Y}\n")
    with Store.open(target) as store:
        report = poll_once(config, store, today=DEMO_TODAY)
        ledger = [LedgerRow.from_doc(doc) for doc in store.values(LEDGER)]
        rows = sorted((r for r in ledger if r.category != Category.OTHER), key=lambda r: r.uid)
        others = sum(1 for r in ledger if r.category == Category.OTHER)
        cases = sorted((c for c in CaseBook(store).all() if not c.is_closed), key=lambda c: int(c.id[1:]))
    print(sync_summary(report))
    print("\nMessages retenus :")
    print(ledger_table(rows))
    print(f"\n{labels.count(others, 'autre message')} sans rapport avec l'Assurance Maladie, "
          f"{'laissés' if others > 1 else 'laissé'} de côté.")
    print(f"\nDossiers ouverts ({len(cases)}) :")
    print(cases_table(cases, DEMO_TODAY))
    print(paper_summary(cases, photo))
    with Store.open(target) as store:
        written = write_outbox(config, store, target / "outbox")
    print(f"\nCe que le robot enverrait (rien n'est envoyé pendant la démonstration) : {target / 'outbox'}")
    for path in written:
        print(f"  {path.name}")
    with Store.open(target, readonly=True) as store:
        table = tracking_table(store)
        events = deadline_events(CaseBook(store).all(archived=True),
                                 datetime.combine(DEMO_TODAY, time(9, 0), tzinfo=UTC))
        fig = figures(InvoiceBook(store).records(), CaseBook(store).all(archived=True), DEMO_TODAY)
        statement = read_statement(resources.files("cpambot.demo").joinpath("releve-demo.ofx").read_bytes())
        bank = reconciliation_lines(reconcile(InvoiceBook(store).transfers(), statement))
    (target / "suivi-factures.csv").write_bytes(to_csv(table))
    write_xlsx(table, target / "suivi-factures.xlsx")
    (target / "echeances.ics").write_bytes(to_ics(events))
    print(f"\nTableau de suivi ({labels.count(len(table), 'facture')}) : {target / 'suivi-factures.csv'} "
          f"et {target / 'suivi-factures.xlsx'}")
    print(f"Échéances pour votre agenda ({labels.count(len(events), 'événement')}) : "
          f"{target / 'echeances.ics'}")
    print(f"\nCe que le robot a suivi (cpambot stats) :\n{stats_text(fig, 'mois')}")
    print("\nRapprochement avec un relevé bancaire fictif (cpambot rapprochement RELEVE) :")
    print("\n".join(f"  {line}" for line in bank))
    print(f"\nDétail d'un dossier : cpambot case C1 --data-dir {target}")
    print(f"Registre complet : cpambot ledger --data-dir {target} --tous")
    return 0 if report.ok else 1

"""Pure text helpers of the classifiers: French amounts and dates, numbers, tables, caisse codes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpambot.config.model import Caisse
from cpambot.understanding.classify.text.amounts import amount_after, find_amounts, parse_amount
from cpambot.understanding.classify.text.caisses import caisse_code
from cpambot.understanding.classify.text.dates import (
    date_after,
    find_dates,
    find_delay,
    letter_date,
    parse_french_date,
)
from cpambot.understanding.classify.text.keywords import keyword_score, keywords
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.classify.text.references import (
    any_reference,
    invoice_numbers,
    invoice_records,
    lot_numbers,
    record_fields,
    reference_after,
)
from cpambot.understanding.classify.text.tables import column, find_tables
from cpambot.understanding.message import ParsedMessage

NBSP, NNBSP = "\u00a0", "\u202f"


def msg(from_addr: str = "x@example.org", *, name: str = "", subject: str = "",
        text: str = "") -> ParsedMessage:
    return ParsedMessage(subject=subject, from_name=name, from_addr=from_addr,
                         date=datetime(2026, 4, 1, 9, 0, tzinfo=UTC), message_id=None, text=text)


# --------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(("written", "value"), [
    ("3 412,60 €", "3412.60"), (f"3{NBSP}412,60{NBSP}€", "3412.60"), (f"3{NNBSP}412,60{NBSP}€", "3412.60"),
    ("1.234,56 €", "1234.56"), ("1 234,56 EUR", "1234.56"), ("18,10€", "18.10"), ("44.52", "44.52"),
    ("-44,52", "-44.52"), ("- 44,52 €", "-44.52"), ("−3,00 €", "-3.00"), ("12,6 euros", "12.60"),
    ("0,50", "0.50"), ("1.234.567", "1234567.00"), ("45 €", "45.00"), ("EUR 9,45", "9.45"),
])
def test_parse_amount_reads_french_spellings(written, value):
    """GIVEN an amount as French letters write it WHEN parsed THEN the exact Decimal comes out."""
    assert parse_amount(written) == Decimal(value)


@pytest.mark.parametrize("written", ["", "abc", "1.234", "1,234", "12,345 €", "3 41,60", "1 2345,00",
                                     "12/03/2026", "€", "--4"])
def test_parse_amount_refuses_ambiguous_or_wrong_text(written):
    """GIVEN text that is not an amount, or is ambiguous ("1.234") WHEN parsed THEN None, not a guess."""
    assert parse_amount(written) is None


def test_find_amounts_needs_a_currency_and_survives_line_breaks():
    """GIVEN a letter with amounts, dates and numbers WHEN amounts are searched THEN only sums in euros
    come out, including one whose € sign was wrapped to the next line, and no lot is glued to them."""
    text = ("Montant total : 3 412,60 € le 14/04/2026, facture 000012370 montant 10,70\n€ ; "
            "lot 046 112,50 € ; en 2026 12,60 EUR ; 9,45 euros ; n° 2026-974-000318")
    assert find_amounts(text) == [Decimal(v) for v in ("3412.60", "10.70", "112.50", "12.60", "9.45")]


def test_find_amounts_joins_an_amount_cut_by_a_line_break():
    """GIVEN a PDF line wrapped inside an amount ("ramené à 2\n598,10 €") WHEN amounts are searched THEN
    the whole amount, never the tail "598,10"; after a short line the split is ambiguous: no amount."""
    wrapped = "Après examen, la Commission a décidé que le montant de l'indu est ramené à 2\n598,10 €."
    assert find_amounts(wrapped) == [Decimal("2598.10")]
    assert amount_after(wrapped, r"ramené à\s*") == Decimal("2598.10")
    # a short line ending with a number (a table cell) is not glued to the next: ambiguous, no amount
    assert find_amounts("Nombre 75\n236,25 €") == []


def test_amount_after_takes_the_labelled_amount():
    """GIVEN several amounts WHEN the one after a label is asked THEN that one is returned."""
    text = "Règlement du 11/03/2026 : 42,18 €. Montant total de l'indu : 3 412,60 €"
    assert amount_after(text, r"montant total[^\d]{0,30}") == Decimal("3412.60")
    assert amount_after(text, r"somme de") is None


@given(st.integers(min_value=-10**9, max_value=10**9),
       st.sampled_from([" ", NBSP, NNBSP, "."]), st.sampled_from([" €", "€", " EUR", NBSP + "€", ""]))
def test_parse_amount_round_trips_every_grouping(cents, sep, currency):
    """GIVEN any amount written with any thousands separator and currency WHEN parsed THEN it round-trips."""
    units, sub = divmod(abs(cents), 100)
    written = ("-" if cents < 0 else "") + f"{units:,}".replace(",", sep) + f",{sub:02d}{currency}"
    assert parse_amount(written) == Decimal(cents) / 100


@given(st.text(max_size=60))
def test_parse_amount_and_find_amounts_never_raise(text):
    """GIVEN any text WHEN read for amounts THEN no exception, and amounts found parse again."""
    parse_amount(text)
    for value in find_amounts(text):
        assert isinstance(value, Decimal)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(("written", "value"), [
    ("14 avril 2026", date(2026, 4, 14)), ("1er juin 2026", date(2026, 6, 1)),
    ("14/04/2026", date(2026, 4, 14)), ("14/04/26", date(2026, 4, 14)), ("2026-04-14", date(2026, 4, 14)),
    ("lundi 14 avril 2026", date(2026, 4, 14)), ("le 9 février 2026", date(2026, 2, 9)),
    ("19 août 2026", date(2026, 8, 19)), ("3 fevrier 2026", date(2026, 2, 3)),
    (f"mardi 19{NBSP}mai{NBSP}2026", date(2026, 5, 19)), ("14.04.2026", date(2026, 4, 14)),
    ("31 déc. 2026", date(2026, 12, 31)),
])
def test_parse_french_date(written, value):
    """GIVEN a date as French letters write it WHEN parsed THEN the right calendar date comes out."""
    assert parse_french_date(written) == value


@pytest.mark.parametrize("written", ["31/02/2026", "30 février 2026", "00/01/2026", "14/13/2026",
                                     "14 avril", "8.2.10", "demain", "", "14 avril 2026 et 15 avril 2026"])
def test_parse_french_date_refuses_impossible_or_incomplete(written):
    """GIVEN an impossible date (31/02), a date without year or not a date WHEN parsed THEN None."""
    assert parse_french_date(written) is None


def test_default_year_completes_a_day_and_month():
    """GIVEN "14 avril" and a default year WHEN parsed THEN the date in that year."""
    assert parse_french_date("14 avril", default_year=2026) == date(2026, 4, 14)


def test_find_dates_in_order_skipping_references():
    """GIVEN a letter WHEN dates are searched THEN each real date, in order; references and version
    numbers are not dates."""
    text = ("Soins du 01/06/2025-31/08/2025, du 1er juin 2025 au 9 janvier 2026 ; indu n° 2026-974-000318 ;"
            " version 8.2.10 ; le 31/02/2026")
    assert find_dates(text) == [date(2025, 6, 1), date(2025, 8, 31), date(2025, 6, 1), date(2026, 1, 9)]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2069, 12, 31)),
       st.sampled_from(["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "long", "weekday"]))
def test_parse_french_date_round_trips(day, style):
    """GIVEN any date written in any supported style WHEN parsed THEN the same date."""
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
              "octobre", "novembre", "décembre"]
    weekdays = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    long = f"{'1er' if day.day == 1 else day.day} {months[day.month - 1]} {day.year}"
    written = {"long": long, "weekday": f"{weekdays[day.weekday()]} {long}"}.get(style) or day.strftime(style)
    assert parse_french_date(written) == day


def test_letter_date_and_date_after():
    """GIVEN a letter head "Saint-Denis, le 14 avril 2026" WHEN read THEN that is the letter's date."""
    letter = "CGSS DE LA RÉUNION\nSaint-Denis, le 14 avril 2026\nObjet : notification"
    assert letter_date(letter) == date(2026, 4, 14)
    assert letter_date("Madame, le dossier du 14/04/2026") is None
    assert date_after("à régler avant le 04/04/2026", r"avant le\s*") == date(2026, 4, 4)


@pytest.mark.parametrize("head,expected", [
    ("Nos références\nIND-972-26-004381\nAffaire suivie par\nMme R.\nDate\n05/10/2026\nObjet : indu",
     date(2026, 10, 5)),
    ("Réf. : IND-972-26-004381\nDate : 5 octobre 2026\nObjet : indu", date(2026, 10, 5)),
    # a column "Date" over care dates is not the letter's: the head has none of its own
    ("Madame,\nVoici le tableau.\nDate des soins\n02/03/2026", None),
])
def test_a_letter_date_in_its_reference_block(head, expected):
    """GIVEN a letter whose reference block writes "Date" on a line of its own, the date below (or "Date :"
    and the date) WHEN its date is read THEN that date; a "Date des soins" column is no letter date."""
    assert letter_date(head) == expected


@pytest.mark.parametrize("text,year,expected", [
    ("merci de nous l'envoyer avant le 30/11, faute de quoi", 2026, date(2026, 11, 30)),
    ("avant le 30 novembre", 2026, date(2026, 11, 30)), ("avant le 30/11", None, None),
    ("avant le 31/02, faute de quoi", 2026, None), ("avant le 12/10,50 €", 2026, None),
])
def test_a_date_after_its_label_without_its_year(text, year, expected):
    """GIVEN a deadline written without its year ("avant le 30/11", "avant le 30 novembre") WHEN read with
    the message's year THEN that day of that year; without a year, or for an impossible day, nothing."""
    assert date_after(text, r"avant le\s*", span=2, default_year=year) == expected


# --------------------------------------------------------------------------- numbers


def test_invoice_numbers_skip_the_professionals_own_number():
    """GIVEN a letter with the PS's n° AM, a NIR and a registered-letter number WHEN invoice numbers are
    searched THEN only the 9-digit invoice numbers come out, in order, once each."""
    text = ("N° AM : 974123456 – factures n° 000012370, 000012371 et 000012372 ; n° de professionnel de "
            "santé 974123456 ; NIR 1480597411123 66 ; LRAR n° 2C 000 000 0318 7 ; facture 000012370")
    assert invoice_numbers(text) == ["000012370", "000012371", "000012372"]


def test_her_number_as_the_letterheads_your_reference_is_no_invoice():
    """GIVEN a letterhead "Nos réf. : PS/AP/2026-7781" / "Vos réf. : 974123456" above "Votre facture n° 402
    118 907" WHEN invoice numbers are searched THEN only the invoice ("Vos réf. : facture …" stays one)."""
    text = "Nos réf. : PS/AP/2026-7781\nVos réf. : 974123456\n\nVotre facture n° 402 118 907 du lot 318"
    assert invoice_numbers(text) == ["402118907"]
    assert invoice_numbers("Vos réf. : facture 402118907") == ["402118907"]


def test_lot_numbers():
    """GIVEN lots written in several ways WHEN searched THEN their 3-digit numbers, without "lot entier"."""
    text = ("lot 045 du 12/03/2026, lots 041 et 043, Lot n° 046, n° de lot : 047, lot entier (4 factures), "
            "lot non parvenu, lot 1234")
    assert lot_numbers(text) == ["045", "041", "043", "046", "047"]


def test_normalize_folds_accents_and_typography():
    """GIVEN French text with accents, NBSP, curly quotes and dashes WHEN normalized THEN plain ASCII."""
    folded = normalize(f"  Décision{NBSP}de la  CRA – d’Œuvre n°  12 ")
    assert folded == "decision de la cra - d'oeuvre no 12"
    assert normalize("a  b\n\n  c d ", keep_lines=True) == "a b\nc d"


@pytest.mark.parametrize(("text", "delay"), [
    ("dans un délai de 15 jours, soit", (15, "days")), ("délai de deux (2) mois à compter", (2, "months")),
    ("sous quinze jours", (15, "days")), ("un délai d'un mois", (1, "months")), ("sous 48 heures", None),
])
def test_find_delay(text, delay):
    """GIVEN a stated delay WHEN read THEN (count, unit); hours are not a legal delay."""
    assert find_delay(text) == delay


def test_reference_after_skips_dates_and_words():
    """GIVEN references next to their labels WHEN read THEN the reference, never a date."""
    text = "Référence : indu n° 2026-974-000318 – dossier de contrôle CTL-2026-0112"
    assert reference_after(text, r"indu\s*(?:n°)?") == "2026-974-000318"
    assert reference_after(text, r"dossier(?: de contr[oô]le)?") == "CTL-2026-0112"
    assert reference_after("votre réclamation du 05/05/2026", r"réclamation") is None
    # (a month under a table's "Indu" column is no reference)
    assert reference_after("Cotation retenue Payé le Indu\n03/2026 D. R. AIS 3", r"indu\s*:?") is None
    # (an article of the code is no file's reference)
    assert reference_after("notification de payer un indu (articles L.133-4 et R.133-9-1)\nNotre référence : "
                           "IND-131-2026-004417", r"indu\s*:?") is None
    assert reference_after("Objet : Notification de payer - indu (articles L133-4 et R133-9-1 du Code)",
                           r"indu\s*:?") is None  # (written without a point)
    assert reference_after("enregistrée sous la référence R2026-80-004512", r"r[ée]f[ée]rence") == \
        "R2026-80-004512"
    # (her own number under "Vos références" is no file's reference)
    assert any_reference("", "Vos références\nN° AM 974123456\nNos références\nIND-972-26-004381") == \
        "IND-972-26-004381"


def test_a_reference_that_begins_with_its_label_word_and_one_after_a_date():
    """GIVEN "Réf. INDU/624/2026/00871" (the label's word starts the reference) and "enregistrée le
    06/10/2026 sous le n° 82-RPS-2026-011873" (a date between the label and the number) WHEN read THEN
    the whole reference, and the number after "sous le n°"."""
    assert reference_after("Notification de payer - Réf. INDU/624/2026/00871",
                           r"indu\s*(?:n°)?\s*:?") == "INDU/624/2026/00871"
    assert any_reference("réclamation enregistrée le 06/10/2026 sous le n° 82-RPS-2026-011873, "
                         "concernant") == "82-RPS-2026-011873"


# --------------------------------------------------------------------------- tables and records


def test_find_tables_text_html_and_csv_shapes():
    """GIVEN a text table with a rule line, a flattened HTML table (blank lines between rows) and a CSV
    WHEN tables are searched THEN each comes out with its header and rows."""
    text = ("intro\nLot | Facture | Montant\n----+---------+--------\n041 | 000012290 | 18,10 €\n\n"
            "041 | 000012291 | 6,30 €\nfin\nA;B;C\n1;2;3\n")
    tables = list(find_tables(text))
    assert tables == [(["Lot", "Facture", "Montant"], [["041", "000012290", "18,10 €"],
                                                       ["041", "000012291", "6,30 €"]]),
                      (["A", "B", "C"], [["1", "2", "3"]])]
    assert column(tables[0][0], r"factur") == 1 and column(tables[0][0], r"motif") is None


def test_invoice_records_follow_wrapped_lines_and_label_blocks():
    """GIVEN a PDF text whose amount wrapped to the next line and an e-mail "Label : value" block
    WHEN records are read THEN each invoice gets its own lot, care date, amount and motif."""
    pdf = ("- facture n° 000012370 – soins du 10/03/2026 – montant 10,70\n€\n"
           "- facture n° 000012371 – soins du 11/03/2026 – montant 16,10 €\nNous vous remercions.")
    records = [(numbers, record_fields(lines)) for numbers, lines in invoice_records(pdf)]
    assert [(n, f["amount"], f["date"]) for n, f in records] == [
        (["000012370"], Decimal("10.70"), date(2026, 3, 10)),
        (["000012371"], Decimal("16.10"), date(2026, 3, 11))]
    block = ("Facture : 000012385 (lot 046 du 23/03/2026)\nBénéficiaire : Henri FICTIF\n"
             "Date des soins : 20/03/2026\nMontant de la part complémentaire : 8,40 €\n"
             "Motif : bénéficiaire non reconnu\n\nCordialement")
    ((numbers, lines),) = list(invoice_records(block))
    assert record_fields(lines) == {"lot": "046", "amount": Decimal("8.40"), "date": date(2026, 3, 20),
                                      "label": "bénéficiaire non reconnu", "reject_code": None}


def test_record_fields_reject_code_in_quotes():
    """GIVEN "rejetée avec le motif 0250 « assuré absent… »" WHEN read THEN code and libellé apart."""
    fields = record_fields(["facture n° 000012347 (lot 042, montant 9,45 euros), rejetée avec le motif "
                              "0250 « assuré absent de notre référentiel »."])
    assert (fields["reject_code"], fields["label"]) == ("0250", "assuré absent de notre référentiel")


# --------------------------------------------------------------------------- caisse


@pytest.mark.parametrize(("addr", "name", "body", "code"), [
    ("01974@974.01.rss.fr", "", "", "974"),
    ("01511@511.01.rss.fr", "", "", "511"),
    ("relations-ps@cgss.re", "", "", "974"),
    ("ps@cgss-martinique.fr", "", "", "972"),
    ("contact@cgss-guadeloupe.fr", "", "", "971"),
    ("ps@cgss-guyane.fr", "", "", "973"),
    ("ps@cssm.fr", "", "", "976"),
    ("facturation-ps.cpam-marne@assurance-maladie.fr", "", "", "511"),
    ("flux-medecins@cpam-bordeaux.cnamts.fr", "", "", "331"),
    ("jean.agent@assurance-maladie.fr", "Jean AGENT (CPAM MARNE)", "", "511"),
    ("relations-ps@assurance-maladie.fr", "", "Cordialement,\nCPAM des Bouches-du-Rhône", "131"),
    ("ps@assurance-maladie.fr", "", "CPAM de Lot-et-Garonne", "471"),
    ("ps@assurance-maladie.fr", "", "CPAM du Lot", "461"),
    ("ps@assurance-maladie.fr", "", "la CPAM de l'Ain", "011"),
    ("ps@assurance-maladie.fr", "", "CGSS de La Réunion", "974"),
    ("noreply@ameli.fr", "amelipro", "traitée par votre caisse d'assurance maladie", None),
    ("ps@assurance-maladie.fr", "", "CPAM du Nord", None),
    ("ps@assurance-maladie.fr", "", "Service PS de la CPAM 593", "595"),  # absorbed by Lille-Douai
    ("ps@assurance-maladie.fr", "", "CPAM 000", None),
    ("ps@assurance-maladie.fr", "", "CPAM de Lille-Douai", "595"),
    ("ps@assurance-maladie.fr", "", "CPAM de Roubaix-Tourcoing", "597"),
    ("ps@assurance-maladie.fr", "", "Caisse primaire d'assurance maladie du Bas-Rhin", "673"),
    ("agent@armorique.msa.fr", "", "", "02221"),
    ("ps@assurance-maladie.fr", "", "Cordialement,\nMSA d'Armorique", "02221"),
    ("ps@css-mayotte.fr", "", "", "976"),
    ("f.lecoq@assurance-maladie.fr", "", "F. Lecoq - CPAM du Calvados\n> question\nNon, rejet maintenu : il "
     "relève de la MSA Côtes Normandes, c'est à eux qu'il faut facturer.", "141"),
])
def test_caisse_code(addr, name, body, code):
    """GIVEN a sender (flux address, CGSS domain, "cpam-marne", a signature) WHEN asked which caisse
    THEN its code (3 digits, régime + number for an MSA), never the caisse a patient "relève de"; "CPAM du
    Nord" (four caisses) and unnamed caisses give None."""
    assert caisse_code(msg(addr, name=name, text=body)) == code


def test_caisse_code_prefers_the_configured_caisses():
    """GIVEN a caisse configured with its own domain and address WHEN its mail arrives THEN its code."""
    caisses = (Caisse(code="331", name="CPAM de la Gironde", domains=("cpam-gironde.example",)),
               Caisse(code="593", name="CPAM Flandres", addresses={"reclamation": "recla@cpam.example"}))
    assert caisse_code(msg("ps@mail.cpam-gironde.example"), caisses) == "331"
    assert caisse_code(msg("recla@cpam.example"), caisses) == "593"
    assert caisse_code(msg("autre@cpam.example"), caisses) is None


def test_keyword_score_prefers_the_subject_then_the_earliest_hit():
    """GIVEN the same phrase in the subject or deep in the body WHEN scored THEN the subject scores more,
    and an earlier hit beats a later one of the same weight."""
    patterns = keywords(("notification de payer", 1.0))
    in_subject = keyword_score(msg(subject="Notification de payer"), patterns)
    early = keyword_score(msg(text="notification de payer " + "x " * 100), patterns)
    late = keyword_score(msg(text="x " * 100 + "notification\nde payer"), patterns)
    assert in_subject > early > late > 0.5
    assert keyword_score(msg(text="rien"), patterns) == 0.0


PIECES = ["facture n° 000012370", "lot 045", "14/04/2026", "31/02/2026", "1er juin 2026", "3 412,60 €", "\n",
          "motif 0250 « x »", "Motif : y", "Lot | Facture | Montant", "|", ";", "  ", "N° AM 974123456",
          "CPAM de la ", "cgss-", "dans un délai de ", "Réf. : ", "1.234,5", "€", "«", "-"]


@given(st.lists(st.one_of(st.text(max_size=15), st.sampled_from(PIECES)), max_size=15).map("".join))
def test_helpers_never_raise(text):
    """GIVEN any text, salted with the fragments the helpers look for WHEN every helper reads it THEN
    no exception, and what they return has the documented shape."""
    assert all(len(n) == 9 and n.isdigit() for n in invoice_numbers(text))
    assert all(len(n) == 3 and n.isdigit() for n in lot_numbers(text))
    find_dates(text, default_year=2026)
    parse_french_date(text)
    find_delay(text)
    reference_after(text, r"r[ée]f\.?\s*:?")
    letter_date(text)
    list(find_tables(text))
    for _, lines in invoice_records(text):
        record_fields(lines)
    code = caisse_code(msg(text=text, name=text))
    assert code is None or (len(code) == 3 and code.isdigit())


@pytest.mark.parametrize(("text", "reference"), [
    ("Référence à rappeler dans toute correspondance : IND-031-2026-04518", "IND-031-2026-04518"),
    ("Créance n° : MPN/IND/26/01944", "MPN/IND/26/01944"),
    ("Numéro de notification : 2026-12-NP-00733", "2026-12-NP-00733"),
])
def test_references_after_the_labels_of_money_letters(text, reference):
    """GIVEN a money letter's reference after its own label WHEN read THEN the reference."""
    assert any_reference(text) == reference


def test_a_label_matches_a_word_processor_apostrophe():
    """GIVEN "un indu d’un montant de 1 284,60 €" (typographic apostrophe) WHEN the amount after
    "d'un montant de" is read THEN 1 284,60."""
    text = "je vous notifie un indu d’un montant de 1 284,60 €, correspondant aux prestations"
    assert amount_after(text, r"(?:d'un|pour un) montant (?:total )?de\s*") == Decimal("1284.60")


def test_a_file_reference_to_recall():
    """GIVEN "Référence du dossier à rappeler : 2026-PJ-72-00418" WHEN any labelled reference is looked for
    THEN that reference."""
    text = "Référence du dossier à rappeler : 2026-PJ-72-00418\nDate limite"
    assert any_reference(text) == "2026-PJ-72-00418"
    # "… dans tout échange", "… dans tout courrier": the same label, said otherwise
    assert any_reference("Référence à rappeler dans tout échange : RPS-2026-118742") == "RPS-2026-118742"
    assert any_reference("Référence à rappeler dans tout courrier : RPS-2026-118742") == "RPS-2026-118742"


def test_a_letters_own_reference_printed_in_groups_of_digits():
    """GIVEN « Notre référence : MED 131 2026 000318 » heading a letter, a reference cited in its text as
    « (réf. IND 2026 07781) », and « Nos références : AM 974 123 456 » WHEN the letter's own reference is
    looked for THEN the first is read whole, the cited one is not taken for the letter's own, and her own
    number is never a reference."""
    from cpambot.understanding.classify.text.references import own_reference

    assert own_reference("", "Notre référence : MED 131 2026 000318 RECOMMANDÉ AVEC AR\n", "x") == \
        "MED 131 2026 000318"
    cited = "contester la notification de payer (réf. IND 2026 07781) d'un montant"
    assert own_reference("", cited, "x") is None
    assert own_reference("", "Nos références : AM 974 123 456\nObjet : indu", "x") is None

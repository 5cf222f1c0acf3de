"""The fictitious professional, her patients and environment, the demo's clocks and amounts.

The mailbox belongs to a fictitious infirmière libérale, Marie Exemple
(n° AM 974123456, Saint-Denis, La Réunion). Her caisse de rattachement is the
CGSS de La Réunion (974); some of her patients are affiliated to the CPAM de la
Marne (511), hence returns and letters from both. Every person, number and
amount is invented; NIRs are synthetic with a valid key. Message contents are
in French, as the real ones would be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from cpambot.demo import noemie_writer as nw

PS_NAME = "Marie Exemple"
PS_AM = "974123456"
PS_MAIL = "marie.exemple@example.org"
PS_TELETRANS = "teletrans.marie@example.org"
PS_ADDRESS = ("12 chemin des Essais", "97400 Saint-Denis")
MX_HOST = "mx.example.org"

TZ_REUNION = timezone(timedelta(hours=4))


def reunion(month: int, day: int, hour: int, minute: int) -> datetime:
    """A 2026 local time in La Réunion (UTC+4, no daylight saving)."""
    return datetime(2026, month, day, hour, minute, tzinfo=TZ_REUNION)


def paris(month: int, day: int, hour: int, minute: int) -> datetime:
    """A 2026 local time in metropolitan France (CEST from 29 March 2026)."""
    summer = (3, 29) <= (month, day) < (10, 25)
    return datetime(2026, month, day, hour, minute,
                    tzinfo=timezone(timedelta(hours=2 if summer else 1)))


def euros(cents: int) -> str:
    """French amount: ``341260`` → ``3 412,60 €`` (plain spaces)."""
    sign = "-" if cents < 0 else ""
    units, sub = divmod(abs(cents), 100)
    return f"{sign}{units:,}".replace(",", " ") + f",{sub:02d} €"


@dataclass(frozen=True)
class Patient:
    """A fictitious patient with a synthetic NIR."""

    first: str
    last: str
    sex: int
    birth: date
    department: str
    commune: str
    order: int

    @property
    def nir(self) -> tuple[str, str]:
        return nw.make_nir(self.sex, self.birth.year, self.birth.month, self.department,
                           self.commune, self.order)

    @property
    def initials(self) -> str:
        return f"{self.first[0]}. {self.last[0]}."

    def entity_103(self) -> str:
        nir, key = self.nir
        return nw.assure(nir=nir, nir_key=key, birth_surname=self.last,
                         first_name=self.first.upper(),
                         birth_date=self.birth, management_unit=1)


JEAN = Patient("Jean", "TESTPATIENT", 1, date(1948, 5, 12), "97", "411", 123)
GISELE = Patient("Gisele", "TESTPATIENTE", 2, date(1951, 9, 3), "97", "415", 77)
LUCIEN = Patient("Lucien", "DEMONSTRATION", 1, date(1939, 1, 28), "97", "416", 5)
ANGE = Patient("Ange-Marie", "ESSAI", 2, date(1952, 3, 17), "2A", "004", 12)
PAULETTE = Patient("Paulette", "FICTIVE", 2, date(1939, 11, 2), "51", "108", 45)
HENRI = Patient("Henri", "FICTIF", 1, date(1944, 7, 21), "51", "454", 210)
ODETTE = Patient("Odette", "FACTICE", 2, date(1947, 2, 8), "51", "230", 18)

# NGAP values used in the demo (cents).
AMI, AIS, IFD, BSB = 315, 265, 275, 1820

# Addresses of the caisses, and the confidentiality notice of their e-mails.
CGSS_ADDR = "1 rue de la Démonstration – CS 90001 – 97400 Saint-Denis Cedex"
CRA_ADDR = ("Commission de recours amiable – CGSS de La Réunion – 1 rue de la Démonstration – "
            "CS 90002 – 97400 Saint-Denis Cedex")
CPAM_MARNE_ADDR = "2 place de l'Exemple – CS 50000 – 51000 Châlons-en-Champagne Cedex"

SIGN_CONFIDENTIAL = (
    "Ce message et ses éventuelles pièces jointes sont confidentiels et destinés "
    "exclusivement à leur destinataire. Si vous l'avez reçu par erreur, merci de le "
    "supprimer et d'en avertir l'expéditeur.")

"""Configuration values: the frozen dataclasses a TOML file becomes, and where files are looked for."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from cpambot.errors import SecretError

SECURITY_MODES = ("tls", "starttls", "aucune")
ACCOUNT_KINDS = ("imap", "maildir")
CAISSE_PURPOSES = ("annulation", "reclamation", "facturation", "indus", "cra",
                   "conciliateur", "flux", "relations_ps", "amc")
CAISSE_KINDS = ("cpam", "cgss", "msa", "amc", "autre")
# How a letter of a purpose reaches the caisse: by e-mail (the bot sends it), through the amelipro
# « Réclamations » service (RECLA PS: she pastes the text the bot prepared), or by registered post (the
# bot lays it out as a PDF; she prints and posts it).
CHANNELS = ("courriel", "amelipro", "courrier")
PROFESSIONS = ("infirmier", "medecin", "kinesitherapeute", "sage-femme", "orthophoniste",
               "orthoptiste", "pedicure-podologue", "autre")


def default_config_path() -> Path:
    """Where the configuration is looked for when ``--config`` is not given."""
    env = os.environ.get("CPAMBOT_CONFIG")
    if env:
        return Path(env)
    system = Path("/etc/cpambot/config.toml")
    if system.exists():
        return system
    return Path.home() / ".config" / "cpambot" / "config.toml"


def default_data_dir() -> Path:
    """systemd's StateDirectory when present, else the XDG data directory."""
    state = os.environ.get("STATE_DIRECTORY")
    if state:
        return Path(state.split(":")[0])
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "cpambot"


@dataclass(frozen=True)
class Secret:
    """Where a password comes from: an environment variable or a file.

    A relative file name is looked for in systemd's credentials folder when the service runs with
    ``LoadCredential=`` (``$CREDENTIALS_DIRECTORY``), else beside the configuration file (``base``), never
    in whatever folder the command happens to be run from. A file that others may read is used, and
    said in the journal: it should be 0600."""

    env: str | None = None
    file: Path | None = None
    origin: str = ""
    base: Path | None = None

    def path(self) -> Path | None:
        """The password file this secret reads, resolved as described above."""
        if self.file is None or self.file.is_absolute():
            return self.file
        credentials = os.environ.get("CREDENTIALS_DIRECTORY")
        if credentials:
            return Path(credentials) / self.file
        return (self.base or Path.cwd()) / self.file

    def read(self) -> str:
        if self.env:
            value = os.environ.get(self.env)
            if not value:
                raise SecretError(
                    f"{self.origin} : la variable d'environnement {self.env} est absente ou vide "
                    "(elle doit contenir le mot de passe)")
            return value
        path = self.path()
        if path is not None:
            try:
                value = path.read_text(encoding="utf-8").strip("\r\n")
                mode = path.stat().st_mode & 0o777
            except OSError as exc:
                raise SecretError(
                    f"{self.origin} : impossible de lire le fichier de mot de passe {path} "
                    f"({exc.strerror or exc})") from exc
            if not value:
                raise SecretError(f"{self.origin} : le fichier de mot de passe {path} est vide")
            if mode & 0o077:
                _warn_once(f"{self.origin} : le fichier de mot de passe {path} est lisible par d'autres "
                           f"utilisateurs (droits {mode:04o}) : « chmod 600 {path} »")
            return value
        raise SecretError(f"{self.origin} : aucun mot de passe configuré")


_WARNED: set[str] = set()


def _warn_once(text: str) -> None:
    if text not in _WARNED:
        _WARNED.add(text)
        logging.getLogger(__name__).warning("%s", text)


@dataclass(frozen=True)
class Professional:
    nom: str
    profession: str
    numero_am: str
    email: str
    rpps: str | None = None
    siret: str | None = None
    adresse: str | None = None
    telephone: str | None = None
    civilite: str | None = None  # "Madame" or "Monsieur": how the letters sign her profession

@dataclass(frozen=True)
class OAuthSettings:
    """How an account signs in without a password (OAuth2, device-code flow; see mailbox/oauth.py)."""

    client_id: str  # the application registered with the provider
    device_url: str
    token_url: str
    scopes: tuple[str, ...]
    token_file: Path  # <data>/oauth/<account>.json, owner-only


@dataclass(frozen=True)
class Account:
    """One mailbox to watch, IMAP or a local Maildir."""

    name: str
    kind: str
    folders: tuple[str, ...]
    host: str | None = None
    port: int | None = None
    security: str = "tls"
    username: str | None = None
    secret: Secret | None = None
    cafile: Path | None = None
    sent_folder: str | None = None
    path: Path | None = None
    timeout: float = 60.0
    provider: str | None = None  # « orange », « gmail »…: see config/providers.py
    oauth: OAuthSettings | None = None  # signs in with OAuth2 instead of a password

    @property
    def label(self) -> str:
        if self.kind == "maildir":
            return f"{self.name} (maildir {self.path})"
        return f"{self.name} ({self.username}@{self.host}:{self.port})"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    sender: str
    username: str | None = None
    secret: Secret | None = None
    cafile: Path | None = None
    timeout: float = 60.0
    provider: str | None = None
    oauth: OAuthSettings | None = None  # signs in with the OAuth2 tokens of the account ``oauth_account``
    oauth_account: str | None = None


@dataclass(frozen=True)
class Caisse:
    code: str
    name: str
    kind: str = "cpam"
    regime: str = "01"
    addresses: dict[str, str] = field(default_factory=dict)
    domains: tuple[str, ...] = ()
    channels: dict[str, str] = field(default_factory=dict)  # purpose → amelipro or courrier (else e-mail)
    postal: dict[str, tuple[str, ...]] = field(default_factory=dict)  # purpose → its postal address's lines

    @property
    def flux_address(self) -> str:
        """The caisse's télétransmission address, e.g. ``01974@974.01.rss.fr``."""
        return self.addresses.get("flux") or f"{self.regime}{self.code}@{self.code}.{self.regime}.rss.fr"


@dataclass(frozen=True)
class RuleSettings:
    """The configurable parts of the rules (defaults from ../shared/domain.md §6)."""

    payment_watch_days: int = 7  # D161-13-3 CSS: AMO pays tiers-payant FSE within 7 working days
    recheck_days: int = 10  # a deferred invoice is looked at again after 10 working days
    pieces_days: int = 15
    conciliateur_weeks: int = 3
    relance1_days: tuple[int, int] = (15, 30)
    relance2_days: tuple[int, int] = (10, 15)


DEFAULT_RULES = RuleSettings()
DEFAULT_TIMEZONE = "Europe/Paris"  # metropolitan France; "Indian/Reunion" for the CGSS de La Réunion…


@dataclass(frozen=True)
class Config:
    path: Path | None
    professional: Professional
    accounts: tuple[Account, ...]
    approvers: tuple[str, ...]
    data_dir: Path
    caisses: tuple[Caisse, ...] = ()
    caisse_domains: tuple[str, ...] = ()
    amc_domains: tuple[str, ...] = ()
    # the professional's other addresses: may forward caisse mail, never approve
    forwarders: tuple[str, ...] = ()
    smtp: SmtpSettings | None = None
    poll_interval: int = 300
    bot_address: str | None = None
    rules: RuleSettings = field(default_factory=RuleSettings)
    authserv_ids: tuple[str, ...] = ()  # Authentication-Results of the receiving server to trust
    token_days: int = 7  # how long an approval link (per-draft token) stays valid
    digest_time: str = "07:30"  # daily digest, local time
    calendar_reminder_days: int = 3  # the deadlines feed's alarm, this many days before (0: none)
    statement_columns: tuple[tuple[str, str], ...] = ()  # a CSV bank statement's columns: date, libelle…
    stale_alert_hours: int = 24  # a mailbox not read for this long is an urgent alert
    horizon_days: int = 60  # a case older than this is history: no draft for a step already past
    timezone: str = DEFAULT_TIMEZONE  # the professional's: "Indian/Reunion" for the CGSS de La Réunion…

    def caisse(self, code: str | None) -> Caisse | None:
        """The configured caisse (or platform) of ``code``."""
        return next((c for c in self.caisses if c.code == code), None)



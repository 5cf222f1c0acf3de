"""Configuration: one TOML file, validated into frozen dataclasses.

Keys are French because the professional edits the file. Every problem raises
:class:`~cpambot.errors.ConfigError` naming the key and the line where it stands.
Passwords never live in the TOML itself: each account names an environment
variable or a file that holds the secret, read only when a connection is made.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cpambot.cases.rules import RuleSettings
from cpambot.errors import ConfigError, SecretError

KeyPath = tuple[str | int, ...]

SECURITY_MODES = ("tls", "starttls", "aucune")
ACCOUNT_KINDS = ("imap", "maildir")
CAISSE_PURPOSES = ("annulation", "reclamation", "facturation", "indus", "cra",
                   "conciliateur", "flux", "relations_ps", "amc")
CAISSE_KINDS = ("cpam", "cgss", "msa", "amc", "autre")
PROFESSIONS = ("infirmier", "medecin", "kinesitherapeute", "sage-femme", "orthophoniste",
               "orthoptiste", "pedicure-podologue", "autre")

_EMAIL_RE = re.compile(r"^[^@\s<>]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_DOMAIN_RE = re.compile(r"^(?=.{3,253}$)([a-z0-9-]+\.)+[a-z]{2,}$")


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
    """Where a password comes from: an environment variable or a file."""

    env: str | None = None
    file: Path | None = None
    origin: str = ""

    def read(self) -> str:
        if self.env:
            value = os.environ.get(self.env)
            if not value:
                raise SecretError(
                    f"{self.origin} : la variable d'environnement {self.env} est absente ou vide "
                    "(elle doit contenir le mot de passe)")
            return value
        if self.file:
            path = self.file
            if not path.is_absolute() and os.environ.get("CREDENTIALS_DIRECTORY"):
                path = Path(os.environ["CREDENTIALS_DIRECTORY"]) / path
            try:
                value = path.read_text(encoding="utf-8").strip("\r\n")
            except OSError as exc:
                raise SecretError(
                    f"{self.origin} : impossible de lire le fichier de mot de passe {path} "
                    f"({exc.strerror or exc})") from exc
            if not value:
                raise SecretError(f"{self.origin} : le fichier de mot de passe {path} est vide")
            return value
        raise SecretError(f"{self.origin} : aucun mot de passe configuré")


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


@dataclass(frozen=True)
class Caisse:
    code: str
    name: str
    kind: str = "cpam"
    regime: str = "01"
    addresses: dict[str, str] = field(default_factory=dict)
    domains: tuple[str, ...] = ()

    @property
    def flux_address(self) -> str:
        """The caisse's télétransmission address, e.g. ``01974@974.01.rss.fr``."""
        return self.addresses.get("flux") or f"{self.regime}{self.code}@{self.code}.{self.regime}.rss.fr"


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
    smtp: SmtpSettings | None = None
    poll_interval: int = 300
    bot_address: str | None = None
    rules: RuleSettings = field(default_factory=RuleSettings)
    authserv_ids: tuple[str, ...] = ()  # Authentication-Results of the receiving server to trust
    token_days: int = 7  # how long an approval link (per-draft token) stays valid
    digest_time: str = "07:30"  # daily digest, local time
    timezone: str = "Europe/Paris"  # the professional's: "Indian/Reunion" for the CGSS de La Réunion…


# --------------------------------------------------------------------------- locating keys


class KeyLocator:
    """Finds the line where a key of a TOML document is written.

    tomllib gives no positions, so the text is scanned once: table headers
    (``[a.b]``, ``[[a]]`` with their index) and ``key = value`` lines. It is
    good enough for error messages; it does not try to understand inline
    tables or keys inside multi-line strings.
    """

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r'^\s*("[^"]*"|\'[^\']*\'|[A-Za-z0-9_.\- ]+?)\s*=')

    def __init__(self, text: str) -> None:
        self.lines: dict[KeyPath, int] = {}
        counters: dict[tuple[str, ...], int] = {}
        table: KeyPath = ()
        for number, raw in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(raw)
            if header:
                names = tuple(_split_dotted(header.group(2)))
                if header.group(1) == "[[":
                    counters[names] = counters.get(names, -1) + 1
                table = tuple(_with_indices(names, counters))
                self.lines.setdefault(table, number)
                continue
            key = self._KEY.match(raw)
            if key:
                path = table + tuple(_split_dotted(key.group(1)))
                self.lines.setdefault(path, number)

    def line(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its closest enclosing key or table."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return None


def _split_dotted(text: str) -> list[str]:
    parts = re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', text)
    return [p.strip().strip("\"'") for p in parts if p.strip()]


def _with_indices(names: tuple[str, ...], counters: dict[tuple[str, ...], int]) -> list[str | int]:
    """Insert the current index after every array-of-tables prefix of ``names``."""
    out: list[str | int] = []
    for i, name in enumerate(names):
        out.append(name)
        prefix = names[: i + 1]
        if prefix in counters:
            out.append(counters[prefix])
    return out


def format_key(path: KeyPath) -> str:
    """``("comptes", 0, "port")`` → ``comptes[1].port`` (1-based for humans)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + part
    return out


# --------------------------------------------------------------------------- typed reading


class _Section:
    """A table of the document with its position, reading typed values."""

    def __init__(self, data: dict[str, Any], path: KeyPath, loader: _Loader) -> None:
        self.data = data
        self.path = path
        self.loader = loader
        self.used: set[str] = set()

    def fail(self, key: str | int | None, message: str) -> ConfigError:
        path = self.path if key is None else (*self.path, key)
        return self.loader.error(path, message)

    def raw(self, key: str, required: bool) -> Any:
        self.used.add(key)
        if key not in self.data:
            typo = difflib.get_close_matches(key, [k for k in self.data if isinstance(k, str)], n=1)
            if required and typo:
                raise self.fail(typo[0], f"clé inconnue (vouliez-vous dire « {key} » ?) ; "
                                f"la clé obligatoire « {key} » est absente")
            if required:
                raise self.fail(None, f"la clé obligatoire « {key} » est absente"
                                f"{' de la section [' + format_key(self.path) + ']' if self.path else ''}")
            return None
        return self.data[key]

    def str(self, key: str, *, required: bool = True, default: str | None = None,
            choices: Iterable[str] | None = None, pattern: re.Pattern[str] | None = None,
            hint: str = "") -> Any:
        value = self.raw(key, required and default is None)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(key, f"une chaîne de caractères entre guillemets est attendue, "
                            f"pas {_describe(value)}")
        value = value.strip()
        if not value and required:
            raise self.fail(key, "la valeur est vide")
        if choices is not None and value not in choices:
            raise self.fail(key, f"valeur « {value} » inconnue ; valeurs possibles : "
                            + ", ".join(choices))
        if pattern is not None and value and not pattern.match(value):
            raise self.fail(key, f"valeur « {value} » invalide{' : ' + hint if hint else ''}")
        return value

    def email(self, key: str, *, required: bool = True) -> Any:
        return self.str(key, required=required, pattern=_EMAIL_RE,
                        hint="une adresse électronique est attendue (nom@domaine.fr)")

    def int(self, key: str, *, default: int | None = None, minimum: int | None = None,
            maximum: int | None = None) -> Any:
        value = self.raw(key, default is None)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"un nombre entier est attendu, pas {_describe(value)}")
        if minimum is not None and value < minimum or maximum is not None and value > maximum:
            raise self.fail(key, f"la valeur {value} doit être comprise entre {minimum} et {maximum}")
        return value

    def str_list(self, key: str, *, required: bool = True, default: tuple[str, ...] = (),
                 item_pattern: re.Pattern[str] | None = None, hint: str = "",
                 lower: bool = False) -> tuple[str, ...]:
        value = self.raw(key, required)
        if value is None:
            return default
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(key, f"une liste est attendue (par ex. [\"a\", \"b\"]), pas {_describe(value)}")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(key, f"l'élément n°{i + 1} doit être une chaîne non vide")
            item = item.strip().lower() if lower else item.strip()
            if item_pattern is not None and not item_pattern.match(item):
                raise self.fail(key, f"l'élément « {item} » est invalide{' : ' + hint if hint else ''}")
            out.append(item)
        if required and not out:
            raise self.fail(key, "la liste est vide")
        return tuple(out)

    def section(self, key: str, *, required: bool = True) -> _Section | None:
        value = self.raw(key, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail(key, f"une section [{format_key((*self.path, key))}] est attendue, "
                            f"pas {_describe(value)}")
        return _Section(value, (*self.path, key), self.loader)

    def sections(self, key: str, *, required: bool = True) -> list[_Section]:
        value = self.raw(key, required)
        if value is None:
            return []
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, f"des sections [[{key}]] sont attendues")
        if required and not value:
            raise self.fail(key, f"au moins une section [[{key}]] est attendue")
        return [_Section(v, (*self.path, key, i), self.loader) for i, v in enumerate(value)]

    def secret(self, origin: str, *, required: bool = True) -> Secret | None:
        for forbidden in ("mot_de_passe", "password", "motdepasse"):
            if forbidden in self.data:
                self.used.add(forbidden)
                raise self.fail(forbidden, "le mot de passe ne doit jamais être écrit dans le "
                                "fichier de configuration : indiquez plutôt « mot_de_passe_env » "
                                "(nom d'une variable d'environnement) ou « mot_de_passe_fichier » "
                                "(fichier lisible par vous seul)")
        env = self.str("mot_de_passe_env", required=False,
                       pattern=re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$"),
                       hint="nom de variable d'environnement attendu (lettres, chiffres, _)")
        file = self.str("mot_de_passe_fichier", required=False)
        if env and file:
            raise self.fail("mot_de_passe_fichier", "indiquez soit « mot_de_passe_env », soit "
                            "« mot_de_passe_fichier », pas les deux")
        if not env and not file:
            if required:
                raise self.fail(None, "indiquez où trouver le mot de passe : « mot_de_passe_env » "
                                "ou « mot_de_passe_fichier »")
            return None
        return Secret(env=env, file=Path(file).expanduser() if file else None, origin=origin)

    def finish(self) -> None:
        """Reject unknown keys: a typo must not be silently ignored."""
        for key in self.data:
            if key not in self.used:
                close = difflib.get_close_matches(key, sorted(self.used), n=1)
                tip = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
                raise self.fail(key, f"clé inconnue{tip}")


class _Loader:
    def __init__(self, text: str, path: Path | None) -> None:
        self.path = path
        self.locator = KeyLocator(text)

    def error(self, key: KeyPath, message: str) -> ConfigError:
        return ConfigError(message, key=format_key(key) or None, line=self.locator.line(key),
                           path=str(self.path) if self.path else None)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "un booléen"
    if isinstance(value, int):
        return f"le nombre {value}"
    if isinstance(value, float):
        return f"le nombre {value}"
    if isinstance(value, str):
        return f"le texte « {value} »"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, dict):
        return "une section"
    return type(value).__name__


# --------------------------------------------------------------------------- loading


def load_config(path: Path | str) -> Config:
    """Read and validate the configuration file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"fichier de configuration introuvable : {path} (copiez "
                          "config.example.toml et adaptez-le)") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"le fichier {path} n'est pas encodé en UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise ConfigError(f"impossible de lire {path} : {exc.strerror or exc}") from None
    return parse_config(text, path=path)


def parse_config(text: str, *, path: Path | None = None, base_dir: Path | None = None) -> Config:
    """Validate configuration ``text``; relative paths are resolved against the file's folder."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise ConfigError(f"syntaxe TOML invalide ({_translate_toml_error(str(exc))})",
                          line=line, path=str(path) if path else None) from None
    loader = _Loader(text, path)
    root = _Section(data, (), loader)
    base = base_dir or (path.parent if path else Path.cwd())

    pro = _professional(root.section("professionnel"))  # type: ignore[arg-type]
    approval = root.section("approbation")
    assert approval is not None
    approvers = approval.str_list("approbateurs", item_pattern=_EMAIL_RE, lower=True,
                                  hint="adresse électronique attendue")
    bot_address = approval.email("adresse_robot", required=False)
    authserv_ids = approval.str_list("authserv_id", required=False, lower=True)
    token_days = approval.int("validite_jours", default=7, minimum=1, maximum=60)
    digest_time = approval.str("heure_recapitulatif", default="07:30",
                               pattern=re.compile(r"^([01]\d|2[0-3]):[0-5]\d$"),
                               hint="heure au format HH:MM, par exemple 07:30")
    approval.finish()

    data_section = root.section("donnees", required=False)
    data_dir = default_data_dir()
    if data_section is not None:
        folder = data_section.str("dossier", required=False)
        if folder:
            data_dir = _resolve(base, folder)
        data_section.finish()

    accounts = tuple(_account(s, base) for s in root.sections("comptes"))
    names = [a.name for a in accounts]
    for i, name in enumerate(names):
        if names.index(name) != i:
            raise loader.error(("comptes", i, "nom"), f"le nom de compte « {name} » est déjà utilisé")

    caisses = tuple(_caisse(s) for s in root.sections("caisses", required=False))
    senders = root.section("expediteurs", required=False)
    caisse_domains: tuple[str, ...] = ()
    amc_domains: tuple[str, ...] = ()
    if senders is not None:
        caisse_domains = senders.str_list("domaines_caisse", required=False, lower=True,
                                          item_pattern=_DOMAIN_RE, hint="nom de domaine attendu")
        amc_domains = senders.str_list("domaines_complementaires", required=False, lower=True,
                                       item_pattern=_DOMAIN_RE, hint="nom de domaine attendu")
        senders.finish()

    smtp = None
    smtp_section = root.section("envoi", required=False)
    if smtp_section is not None:
        smtp = _smtp(smtp_section, base)

    sched = root.section("planification", required=False)
    poll_interval = 300
    timezone = "Europe/Paris"
    if sched is not None:
        poll_interval = sched.int("intervalle_releve", default=300, minimum=30, maximum=86400)
        timezone = sched.str("fuseau_horaire", default="Europe/Paris")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise sched.fail("fuseau_horaire", f"fuseau horaire « {timezone} » inconnu (exemples : "
                             "Europe/Paris, Indian/Reunion, America/Martinique, America/Guadeloupe, "
                             "America/Cayenne, Indian/Mayotte)") from None
        sched.finish()
    rules = RuleSettings()
    rules_section = root.section("regles", required=False)
    if rules_section is not None:
        rules = _rules(rules_section)
    root.finish()
    return Config(path=path, professional=pro, accounts=accounts, approvers=approvers,
                  data_dir=data_dir, caisses=caisses, caisse_domains=caisse_domains,
                  amc_domains=amc_domains, smtp=smtp, poll_interval=poll_interval,
                  bot_address=bot_address, rules=rules, authserv_ids=authserv_ids,
                  token_days=token_days, digest_time=digest_time, timezone=timezone)


def _rules(s: _Section) -> RuleSettings:
    r1_from = s.int("relance1_apres_jours", default=15, minimum=1, maximum=120)
    r1_by = s.int("relance1_au_plus_tard_jours", default=30, minimum=1, maximum=180)
    r2_from = s.int("relance2_apres_jours", default=10, minimum=1, maximum=120)
    r2_by = s.int("relance2_au_plus_tard_jours", default=15, minimum=1, maximum=180)
    if r1_by < r1_from:
        raise s.fail("relance1_au_plus_tard_jours", "doit être supérieur ou égal à relance1_apres_jours")
    if r2_by < r2_from:
        raise s.fail("relance2_au_plus_tard_jours", "doit être supérieur ou égal à relance2_apres_jours")
    rules = RuleSettings(
        payment_watch_days=s.int("delai_paiement_jours_ouvres", default=7, minimum=1, maximum=60),
        recheck_days=s.int("revoir_facture_differee_jours_ouvres", default=10, minimum=1, maximum=60),
        pieces_days=s.int("delai_pieces_jours", default=15, minimum=1, maximum=90),
        conciliateur_weeks=s.int("conciliateur_apres_semaines", default=3, minimum=1, maximum=26),
        relance1_days=(r1_from, r1_by), relance2_days=(r2_from, r2_by),
    )
    s.finish()
    return rules


def _professional(s: _Section) -> Professional:
    pro = Professional(
        nom=s.str("nom"),
        profession=s.str("profession", default="infirmier", choices=PROFESSIONS),
        numero_am=s.str("numero_am", pattern=re.compile(r"^\d{8,9}$"),
                        hint="le n° AM / Adeli compte 9 chiffres"),
        email=s.email("email"),
        rpps=s.str("rpps", required=False, pattern=re.compile(r"^\d{11}$"),
                   hint="le n° RPPS compte 11 chiffres"),
        siret=s.str("siret", required=False, pattern=re.compile(r"^\d{14}$"),
                    hint="le SIRET compte 14 chiffres, sans espaces"),
        adresse=s.str("adresse", required=False),
        telephone=s.str("telephone", required=False),
    )
    s.finish()
    return pro


def _account(s: _Section, base: Path) -> Account:
    name = s.str("nom", pattern=re.compile(r"^[A-Za-z0-9_.-]{1,40}$"),
                 hint="lettres, chiffres, . _ - (40 caractères au plus)")
    kind = s.str("type", default="imap", choices=ACCOUNT_KINDS)
    folders = s.str_list("dossiers", required=False, default=("INBOX",))
    timeout = s.int("delai_reseau", default=60, minimum=5, maximum=600)
    if kind == "maildir":
        path = _resolve(base, s.str("chemin"))
        s.finish()
        return Account(name=name, kind=kind, folders=folders, path=path, timeout=timeout)
    security = s.str("securite", default="tls", choices=SECURITY_MODES)
    default_port = 993 if security == "tls" else 143
    account = Account(
        name=name, kind=kind, folders=folders,
        host=s.str("hote"),
        port=s.int("port", default=default_port, minimum=1, maximum=65535),
        security=security,
        username=s.str("utilisateur"),
        secret=s.secret(f"compte « {name} »"),
        cafile=_opt_path(base, s.str("certificat_ca", required=False)),
        sent_folder=s.str("dossier_envoyes", required=False),
        timeout=timeout,
    )
    s.finish()
    return account


def _smtp(s: _Section, base: Path) -> SmtpSettings:
    security = s.str("securite", default="starttls", choices=SECURITY_MODES)
    default_port = 465 if security == "tls" else 587
    username = s.str("utilisateur", required=False)
    settings = SmtpSettings(
        host=s.str("hote"),
        port=s.int("port", default=default_port, minimum=1, maximum=65535),
        security=security,
        sender=s.email("expediteur"),
        username=username,
        secret=s.secret("envoi (SMTP)", required=bool(username)),
        cafile=_opt_path(base, s.str("certificat_ca", required=False)),
        timeout=s.int("delai_reseau", default=60, minimum=5, maximum=600),
    )
    s.finish()
    return settings


def _caisse(s: _Section) -> Caisse:
    declared = s.data.get("type")
    if declared == "amc":  # a complementary insurer's platform, named like the bot names it
        code = s.str("code", pattern=re.compile(r"^[a-z][a-z0-9-]{1,30}$"),
                     hint="nom de la plateforme en minuscules (ex. viamedis, almerys, spsante)")
    else:
        code = s.str("code", pattern=re.compile(r"^\d{3}$"),
                     hint="code de caisse à 3 chiffres (ex. 511, 974)")
    name = s.str("nom")
    kind = s.str("type", default="cgss" if code.startswith("97") else "cpam", choices=CAISSE_KINDS)
    regime = s.str("regime", default="01", pattern=re.compile(r"^\d{2}$"),
                   hint="grand régime sur 2 chiffres (01 = régime général)")
    addresses: dict[str, str] = {}
    section = s.section("adresses", required=False)
    if section is not None:
        for purpose in list(section.data):
            if purpose not in CAISSE_PURPOSES:
                raise section.fail(purpose, "usage d'adresse inconnu ; usages possibles : "
                                   + ", ".join(CAISSE_PURPOSES))
            addresses[purpose] = section.email(purpose)
        section.finish()
    domains = s.str_list("domaines", required=False, lower=True, item_pattern=_DOMAIN_RE,
                         hint="nom de domaine attendu")
    s.finish()
    return Caisse(code=code, name=name, kind=kind, regime=regime, addresses=addresses,
                  domains=domains)


def _resolve(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def _opt_path(base: Path, value: str | None) -> Path | None:
    return _resolve(base, value) if value else None


_TOML_LINE = re.compile(r"at line (\d+)")


def _toml_error_line(message: str) -> int | None:
    found = _TOML_LINE.search(message)
    return int(found.group(1)) if found else None


_TOML_TRANSLATIONS = (
    ("Invalid value", "valeur invalide"),
    ("Cannot overwrite a value", "clé définie deux fois"),
    ("Cannot declare", "section déclarée deux fois :"),
    ("Expected '=' after a key in a key/value pair", "« = » attendu après la clé"),
    ("Unterminated string", "chaîne non terminée (guillemet manquant)"),
    ("Invalid statement", "instruction invalide"),
    ("Expected newline or end of document after a statement",
     "fin de ligne attendue après la valeur"),
    ("Illegal character", "caractère interdit"),
    ("Expected ']' at the end of a table declaration", "« ] » manquant à la fin du nom de section"),
    ("Expected ']]' at the end of an array declaration", "« ]] » manquant à la fin du nom de section"),
    ("Unclosed array", "liste non fermée (« ] » manquant)"),
    ("Invalid initial character for a key part", "caractère invalide au début d'une clé"),
    ("Found invalid character in key name", "caractère invalide dans un nom de clé"),
    ("at line", "ligne"), ("column", "colonne"), ("at end of document", "à la fin du fichier"),
)


def _translate_toml_error(message: str) -> str:
    for english, french in _TOML_TRANSLATIONS:
        message = message.replace(english, french)
    return message

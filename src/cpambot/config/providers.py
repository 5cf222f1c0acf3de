"""Mail providers French professionals use, so that a mailbox is configured by its provider's name
(``fournisseur = "orange"``) and a refused login is explained in that provider's terms.

The servers and what each provider asks of a program that reads mail (its usual password, an app
password, or OAuth2 only) are data (``data/providers.toml``), each with the provider's own help page.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

AUTH_KINDS = ("mot_de_passe", "mot_de_passe_application", "oauth2")


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    security: str  # tls (implicit) or starttls
    auth: str  # one of AUTH_KINDS


@dataclass(frozen=True)
class Provider:
    code: str  # what the configuration names: "orange", "gmail"…
    name: str  # « Orange »
    imap: Server
    smtp: Server
    advice: str  # French: what to do when the login is refused
    source: str  # the provider's help page
    oauth: dict[str, Any] | None = None  # device_url, token_url (« {locataire} »), locataire, scopes

    @property
    def password_refused(self) -> str:
        """A French sentence for a refused login, in this provider's terms."""
        return f"{self.name} : {self.advice} (voir {self.source})"

    def needs_oauth(self, what: str) -> bool:
        """Whether its ``what`` server (« imap », « smtp ») takes OAuth2 only."""
        return (self.imap if what == "imap" else self.smtp).auth == "oauth2"


def refused_hint(code: str | None) -> str:
    """« ; <what the provider asks> » for a refused login, or nothing when no provider is named."""
    provider = providers().get(code or "")
    return f" ; {provider.password_refused}" if provider is not None else ""


@cache
def providers() -> dict[str, Provider]:
    data = tomllib.loads(resources.files("cpambot.config").joinpath("data/providers.toml")
                         .read_text(encoding="utf-8"))
    out = {}
    for code, item in data.items():
        out[code] = Provider(code, item["nom"], Server(**item["imap"]), Server(**item["smtp"]),
                             item["conseil"], item["source"], item.get("oauth2"))
    return out

"""How a mailbox signs in, read from the configuration: OAuth2 (``[comptes.oauth2]``, or ``oauth2 =
"COMPTE"`` in ``[envoi]``) where the provider takes no password, else the password as before.

```toml
[[comptes]]
nom = "cabinet"
fournisseur = "microsoft365"
utilisateur = "marie@cabinet-exemple.fr"
[comptes.oauth2]
client_id = "…"           # the application registered for cpambot (see the README)
locataire = "…"           # optional: the Microsoft 365 tenant (« organizations » by default)
```

A provider the presets do not know needs ``url_appareil``, ``url_jeton`` and ``portees``.
"""

from __future__ import annotations

import re
from pathlib import Path

from cpambot.config.document import _Section
from cpambot.config.model import Account, OAuthSettings
from cpambot.config.providers import Provider

OAUTH_DIR = "oauth"  # under the data folder: the tokens of each account, owner-only
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{8,200}$")


def oauth_settings(s: _Section, name: str, provider: Provider | None, data_dir: Path) -> OAuthSettings | None:
    """The account's ``oauth2`` table, completed by its provider's endpoints; None without one (refused
    when the provider takes OAuth2 only)."""
    section = s.section("oauth2", required=False)
    if section is None:
        if provider is not None and provider.needs_oauth("imap"):
            raise s.fail("fournisseur", f"{provider.name} n'accepte qu'une connexion OAuth2 pour IMAP : "
                         "ajoutez un bloc [comptes.oauth2] avec le « client_id » de l'application "
                         "enregistrée pour cpambot, puis lancez « cpambot login "
                         f"{name} » (voir le README, « Boîtes Outlook.com et Microsoft 365 »)")
        return None
    preset = (provider.oauth if provider is not None else None) or {}
    client_id = section.text("client_id", pattern=_CLIENT_ID,
                             hint="identifiant de l'application (client) enregistrée chez le fournisseur")
    tenant = section.text("locataire", default=preset.get("locataire"), required=bool(preset))
    device = section.text("url_appareil", default=preset.get("device_url"))
    token = section.text("url_jeton", default=preset.get("token_url"))
    scopes = section.str_list("portees", required=not preset, default=tuple(preset.get("scopes") or ()))
    for key, url in (("url_appareil", device), ("url_jeton", token)):
        if not re.match(r"^https://|^http://(?:127\.0\.0\.1|localhost)[:/]", url):
            raise section.fail(key, f"adresse « {url} » refusée : HTTPS obligatoire")
    section.finish()
    return OAuthSettings(client_id, device.replace("{locataire}", tenant or ""),
                         token.replace("{locataire}", tenant or ""), tuple(scopes),
                         data_dir / OAUTH_DIR / f"{name}.json")


def smtp_oauth(s: _Section, provider: Provider | None,
               accounts: tuple[Account, ...]) -> tuple[Account | None, OAuthSettings | None]:
    """``oauth2 = "COMPTE"`` in ``[envoi]``: sending signs in with that account's OAuth2 tokens (and, unless
    told otherwise, as its user)."""
    name = s.text("oauth2", required=False)
    if not name:
        if provider is not None and provider.needs_oauth("smtp"):
            raise s.fail("fournisseur", f"{provider.name} n'accepte qu'une connexion OAuth2 pour l'envoi : "
                         "ajoutez « oauth2 = \"COMPTE\" », le nom du compte connecté par OAuth2 "
                         "(« cpambot login COMPTE »)")
        return None, None
    account = next((a for a in accounts if a.name == name), None)
    if account is None or account.oauth is None:
        raise s.fail("oauth2", f"« {name} » n'est pas un compte connecté par OAuth2 (un bloc "
                     "[comptes.oauth2] de ce nom)")
    return account, account.oauth

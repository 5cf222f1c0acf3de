"""``cpambot login COMPTE``: sign a mailbox in with OAuth2 once (Outlook.com, Microsoft 365). A code to type
on any phone or computer; the tokens are then kept owner-only under the data folder and renewed alone."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cpambot.config.model import Config
from cpambot.errors import UsageError
from cpambot.mailbox.oauth import Post, finish_device_login, post_form, start_device_login


def add_parser(sub: Any) -> None:
    login = sub.add_parser("login", help="connecter une boîte par OAuth2 (Outlook.com, Microsoft 365) : un "
                                         "code à saisir une fois sur votre téléphone ou votre ordinateur")
    login.add_argument("compte", help="nom du compte ([[comptes]] nom = …) qui a un bloc [comptes.oauth2]")


def cmd_login(args: argparse.Namespace, config: Config, *, post: Post = post_form,
              sleep: Callable[[float], None] = time.sleep) -> int:
    account = next((a for a in config.accounts if a.name == args.compte), None)
    if account is None:
        names = ", ".join(a.name for a in config.accounts) or "aucun"
        raise UsageError(f"compte « {args.compte} » inconnu (comptes de la configuration : {names})")
    if account.oauth is None:
        raise UsageError(f"le compte « {account.name} » se connecte par mot de passe : pas de bloc "
                         "[comptes.oauth2] dans la configuration")
    code = start_device_login(account.oauth, post=post)
    minutes = max(1, round((code.expires_at - time.time()) / 60))
    print(f"Pour autoriser cpambot à lire la boîte {account.username} :\n"
          f"  1. ouvrez {code.verification_uri} sur votre téléphone ou votre ordinateur ;\n"
          f"  2. saisissez le code {code.user_code} ;\n"
          f"  3. connectez-vous avec le compte {account.username} et acceptez.\n"
          f"En attente de votre accord (le code expire dans {minutes} minutes)…", flush=True)
    tokens = finish_device_login(account.name, account.oauth, code, post=post, sleep=sleep)
    until = datetime.fromtimestamp(tokens.expires_at).strftime("%d/%m/%Y %H:%M")
    print(f"Connexion enregistrée pour « {account.name} » (accès valable jusqu'au {until}, renouvelé "
          "seul ensuite). Si le fournisseur la révoque, le récapitulatif vous le dira : relancez alors "
          f"« cpambot login {account.name} ».")
    return 0

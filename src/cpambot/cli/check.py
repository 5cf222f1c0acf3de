"""``cpambot check``: validate the configuration and, optionally, try every account."""

from __future__ import annotations

from cpambot.config.model import Config
from cpambot.errors import CpambotError
from cpambot.mailbox.sources import open_mailbox

WATCHED_CAPABILITIES = ("IDLE", "MOVE", "UIDPLUS", "CONDSTORE")


def describe_config(config: Config) -> list[str]:
    pro = config.professional
    lines = [
        f"Configuration valide : {config.path}",
        f"Professionnel : {pro.nom} ({pro.profession}), n° AM {pro.numero_am}, {pro.email}",
        f"{'Approbateurs' if len(config.approvers) > 1 else 'Approbateur'} : {', '.join(config.approvers)}",
        f"Dossier de données : {config.data_dir}",
    ]
    for account in config.accounts:
        lines.append(f"Compte {account.label} — dossiers surveillés : {', '.join(account.folders)}")
    for caisse in config.caisses:
        purposes = ", ".join(sorted(caisse.addresses)) or "aucune adresse"
        lines.append(f"Caisse {caisse.code} — {caisse.name} ({caisse.kind}) : {purposes}")
    if config.smtp:
        lines.append(f"Envoi : {config.smtp.host}:{config.smtp.port} ({config.smtp.security}) "
                     f"depuis {config.smtp.sender}")
        if not config.authserv_ids:
            lines.append("Attention : « authserv_id » n'est pas renseigné dans [approbation] : une réponse "
                         "d'approbation est alors jugée sur son adresse d'expéditeur et sa référence au "
                         "message du robot, sans contrôle DKIM/DMARC.")
    else:
        lines.append("Pas de section [envoi] : les dossiers sont suivis, mais aucun brouillon ni "
                     "récapitulatif n'est envoyé.")
    return lines


def check_sent_folder(config: Config) -> int:
    """The Sent folder the copies of the bot's letters go to must exist (the configured one, or the one
    the server marks as Sent when « dossier_envoyes » is left out): 1 when it does not."""
    from cpambot.service.bootstrap import sent_folder_factory

    factory = sent_folder_factory(config) if config.smtp else None
    if factory is None:
        return 0
    sent = factory()
    try:
        folder = sent.folder
        client = sent.mailbox.client
        if client is None:
            sent.open()
            client = sent.mailbox.client
        assert client is not None
        sent.mailbox._call(f"l'ouverture du dossier « {folder} »",
                           lambda: client.select_folder(folder, readonly=True))
    except CpambotError as exc:
        print(f"✘ dossier « Envoyés » : {exc}")
        return 1
    finally:
        sent.close()
    print(f"✔ dossier « Envoyés » : « {folder} » (les copies des courriers du robot y sont rangées)")
    return 0


def check_config(config: Config, *, connect: bool) -> int:
    for line in describe_config(config):
        print(line)
    if not connect:
        return 0
    failures = 0
    for account in config.accounts:
        mailbox = open_mailbox(account)
        try:
            mailbox.open()
            caps = set(mailbox.capabilities())
            flags = ", ".join(f"{c} {'oui' if c in caps else 'non'}" for c in WATCHED_CAPABILITIES)
            missing = []
            for folder in account.folders:
                try:
                    mailbox.select(folder)
                except CpambotError:
                    missing.append(folder)
            print(f"✔ compte « {account.name} » : connexion réussie — {flags}")
            if missing:
                failures += 1
                print(f"✘ compte « {account.name} » : "
                      f"{'dossiers introuvables' if len(missing) > 1 else 'dossier introuvable'} : "
                      f"{', '.join(missing)}")
        except CpambotError as exc:
            failures += 1
            print(f"✘ {exc}")
        finally:
            mailbox.close()
    failures += check_sent_folder(config)
    if config.smtp:
        from cpambot.cli.smtp_check import check_smtp

        ok, text = check_smtp(config.smtp)
        print(("✔ " if ok else "✘ ") + text)
        failures += 0 if ok else 1
    return 1 if failures else 0

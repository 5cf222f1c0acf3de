"""The bot's own health as the digest tells it: pure, ``now`` passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cpambot.approval.health import MailboxHealth, after_poll, health_lines, health_reasons

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 4, 20, 8, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
REFUSED = "compte « cabinet » : identifiant ou mot de passe refusé par imap.example.org pour marie"


def test_a_poll_keeps_the_last_good_reading_and_when_the_error_began():
    """GIVEN a mailbox read at 08:00 WHEN the 09:00 and 10:00 polls fail THEN its last good reading stays
    08:00 and its error dates from 09:00; WHEN the 11:00 poll reads it THEN the error is gone."""
    ok = after_poll(None, "cabinet", NOW, None, idle=True)
    failed = after_poll(ok, "cabinet", NOW + timedelta(hours=1), "le serveur ne répond pas")
    still = after_poll(failed, "cabinet", NOW + timedelta(hours=2), "le serveur ne répond pas")
    assert (still.last_ok, still.error_since) == (NOW, NOW + timedelta(hours=1))
    back = after_poll(still, "cabinet", NOW + timedelta(hours=3), None)
    assert back.error is None and back.last_ok == NOW + timedelta(hours=3)
    assert MailboxHealth.from_doc("cabinet", still.to_doc()) == still


def test_refused_credentials_alert_at_once_with_words_that_do_not_change():
    """GIVEN a mailbox whose server refused the bot's password a minute ago WHEN the reasons are told
    now and an hour later THEN one urgent reason, the same both times (told once, not at every poll)."""
    box = after_poll(after_poll(None, "cabinet", NOW - DAY, None), "cabinet", NOW, REFUSED, auth_failed=True)
    first = health_reasons([box], now=NOW + timedelta(minutes=1), stale_after=DAY, tz=PARIS)
    later = health_reasons([box], now=NOW + timedelta(hours=1), stale_after=DAY, tz=PARIS)
    assert first == later and len(first) == 1 and "ne peut plus être lue" in first[0] and REFUSED in first[0]


def test_a_mailbox_unread_for_the_configured_hours_alerts_once_it_is_that_late():
    """GIVEN a mailbox last read on 19 April at 10:00 (Paris), its server not answering since WHEN 23 hours
    have passed THEN no alert; WHEN 24 THEN "n'a pas été lue depuis le 19/04/2026 à 10:00"; a mailbox
    that never could be read says so."""
    box = MailboxHealth("cabinet", NOW - DAY, "le serveur ne répond pas", NOW - DAY + timedelta(minutes=5))
    assert health_reasons([box], now=NOW - timedelta(hours=1), stale_after=DAY, tz=PARIS) == []
    assert health_reasons([box], now=NOW, stale_after=DAY, tz=PARIS) == [
        "la boîte « cabinet » n'a pas été lue depuis le 19/04/2026 à 10:00"]
    never = MailboxHealth("perso", None, "serveur introuvable", NOW - DAY)
    assert "n'a encore jamais pu être lue" in health_reasons([never], now=NOW, stale_after=DAY, tz=PARIS)[0]


def test_the_robot_state_lines():
    """GIVEN one mailbox read with IDLE alive, one in error, 2 letters waiting and 1 uncertain WHEN told
    THEN one line each, in French, with local times and agreement."""
    boxes = [MailboxHealth("cabinet", NOW, idle=True),
             MailboxHealth("perso", NOW - DAY, "le serveur ne répond pas", NOW - timedelta(hours=2))]
    assert health_lines(boxes, queued=2, uncertain=1, tz=PARIS) == [
        "boîte « cabinet » : lue le 20/04/2026 à 10:00 ; surveillance instantanée (IDLE) active",
        "boîte « perso » : ERREUR depuis le 20/04/2026 à 08:00 : le serveur ne répond pas (dernière lecture "
        "réussie : le 19/04/2026 à 10:00)",
        "2 courriers en attente d'envoi, 1 envoi incertain",
    ]
    assert health_lines([], queued=0, uncertain=0, tz=PARIS) == [
        "aucune boîte n'a encore été lue", "aucun courrier en attente d'envoi"]

"""The outbox's state machine as pure functions over OutboxEntry values: no store, no server, ``now``
passed in."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from cpambot.errors import InvalidValueError, OutboxStateError
from cpambot.letters.model import Letter
from cpambot.sending import states
from cpambot.sending.model import OutboxEntry, SendEvent, SendPhase, SendState
from cpambot.sending.states import BACKOFF_MINUTES, COPY_MAX_ATTEMPTS, MAX_ATTEMPTS

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MID = "<reclamation.0123@cpambot.example.org>"
RAW = b"From: a@example.org\r\nSubject: x\r\n\r\nBonjour\r\n"


def letter(**changes) -> Letter:
    base = Letter(kind="reclamation", to=("Service des réclamations <reclamations@cpam974.example>",),
                  cc=("marie.exemple@example.org", "RECLAMATIONS@cpam974.example"),
                  subject="Réclamation : facture n° 2026-014 impayée", body="Madame, Monsieur,\n")
    return replace(base, **changes)


def queued(now: datetime = T0) -> OutboxEntry:
    return states.new_entry(letter(), RAW, sender="Marie Exemple <marie.exemple@example.org>", message_id=MID,
                            purpose="reclamation", case_key="C12", draft_key="D-1", now=now)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def sending(now: datetime = T0) -> OutboxEntry:
    return states.begin_attempt(queued(), now)


def past_data(now: datetime = T0) -> OutboxEntry:
    return states.enter_data(sending(now))


def events(entry: OutboxEntry) -> list[str]:
    return [str(h.event) for h in entry.history]


# --------------------------------------------------------------------------- enqueue


def test_a_new_entry_is_queued_with_its_envelope_and_bytes():
    """GIVEN a letter to one address with two CCs, one repeating it in capitals WHEN enqueued at a
    moment with microseconds THEN queued, due at once, the envelope holds each address once, the
    bytes are kept whole, and the instants are kept to the second as the store keeps them."""
    entry = queued(T0.replace(microsecond=654321))

    assert entry.state is SendState.QUEUED and entry.attempts == 0 and entry.phase is None
    assert entry.recipients == ("reclamations@cpam974.example", "marie.exemple@example.org")
    assert entry.raw == RAW and entry.size == len(RAW)
    assert entry.created == entry.updated == T0
    assert events(entry) == ["enqueued"] and entry.history[0].state is SendState.QUEUED
    assert states.is_due(entry, T0)


def test_an_invalid_recipient_is_refused_before_anything_is_recorded():
    """GIVEN a letter whose To has no address WHEN enqueued THEN InvalidValueError (a bug of ours)."""
    with pytest.raises(InvalidValueError):
        states.new_entry(letter(to=("Service des réclamations",)), RAW, sender="a@example.org",
                         message_id=MID, purpose="reclamation", case_key=None, draft_key=None, now=T0)


# --------------------------------------------------------------------------- one attempt


def test_an_attempt_is_journaled_before_connecting_then_before_data():
    """GIVEN a queued e-mail WHEN an attempt starts THEN sending, one more attempt, phase connect, a
    history line numbering the attempt; WHEN DATA is about to go THEN only the phase changes."""
    entry = sending(at(3))

    assert entry.state is SendState.SENDING and entry.attempts == 1 and entry.phase is SendPhase.CONNECT
    assert entry.updated == at(3) and entry.next_attempt is None
    assert entry.history[-1].event is SendEvent.ATTEMPT and entry.history[-1].attempt == 1

    data = states.enter_data(entry)

    assert data.phase is SendPhase.DATA
    assert data.history == entry.history and data.updated == entry.updated and data.state is SendState.SENDING


def test_a_250_makes_it_sent_with_the_reply():
    """GIVEN an attempt past DATA WHEN the server answers 250 THEN sent at that moment, the reply kept
    in the entry and in its history line, the phase cleared, never due again."""
    entry = states.accepted(past_data(), at(1), "250 2.0.0 Ok: queued as ABC")

    assert entry.state is SendState.SENT and entry.sent_at == at(1) and entry.phase is None
    assert entry.smtp_reply == "250 2.0.0 Ok: queued as ABC" and entry.history[-1].reply == entry.smtp_reply
    assert events(entry) == ["enqueued", "attempt", "sent"] and not states.is_due(entry, at(600))


def test_a_5xx_fails_for_good():
    """GIVEN an attempt WHEN the server answers 550 THEN failed with the French reason and the reply,
    and it is never due again."""
    reason = "refus définitif du serveur d'envoi (550 5.7.1)"
    entry = states.refused(sending(), T0, reason, "550 5.7.1 non")

    assert entry.state is SendState.FAILED and entry.reason == reason
    assert entry.smtp_reply == "550 5.7.1 non" and entry.history[-1].reply == "550 5.7.1 non"
    assert not states.is_due(entry, T0 + timedelta(days=30))


def test_4xx_waits_1_5_15_60_240_minutes_then_fails_after_the_last_attempt():
    """GIVEN a server answering 451 at every attempt WHEN each retry comes due THEN the waits are 1,
    5, 15, 60 and 240 minutes, not due a second early; after the last attempt: failed."""
    entry, now, waits = queued(), T0, []
    for _ in range(MAX_ATTEMPTS):
        assert states.is_due(entry, now)
        entry = states.retry_later(states.begin_attempt(entry, now), now, "refus temporaire (451)",
                                   "451 plus tard")
        if entry.state is not SendState.QUEUED:
            break
        assert entry.next_attempt is not None and entry.phase is None
        when = entry.next_attempt.isoformat()
        assert entry.reason == f"refus temporaire (451) ; nouvel essai prévu à {when}"
        assert not states.is_due(entry, entry.next_attempt - timedelta(seconds=1))
        waits.append(int((entry.next_attempt - now).total_seconds() // 60))
        now = entry.next_attempt

    assert waits == list(BACKOFF_MINUTES)
    assert entry.state is SendState.FAILED and entry.attempts == MAX_ATTEMPTS
    assert entry.reason == (f"abandonné après {MAX_ATTEMPTS} tentatives ; dernière erreur : "
                            "refus temporaire (451)")
    assert events(entry).count("retry") == len(BACKOFF_MINUTES) and events(entry)[-1] == "failed"


def test_a_failure_before_data_without_reply_is_retried_without_a_reply_line():
    """GIVEN a network failure before DATA (no SMTP reply) WHEN retried later THEN queued, and its
    history line carries no reply; a smaller max_attempts and a custom backoff are honoured."""
    entry = states.retry_later(sending(), T0, "échange interrompu", None, backoff_minutes=(2,),
                               max_attempts=2)
    assert entry.state is SendState.QUEUED and entry.next_attempt == at(2)
    assert entry.smtp_reply is None and entry.history[-1].reply is None
    again = states.retry_later(states.begin_attempt(entry, at(2)), at(2), "échange interrompu", None,
                               backoff_minutes=(2,), max_attempts=2)
    assert again.state is SendState.FAILED


def test_no_reply_after_data_is_uncertain_and_never_due():
    """GIVEN an attempt past DATA WHEN the connection breaks without a reply THEN uncertain, the phase
    still says DATA, and it is never due again by itself."""
    entry = states.ambiguous(past_data(), T0, "la connexion a été coupée : il a peut-être été accepté")

    assert entry.state is SendState.UNCERTAIN and entry.phase is SendPhase.DATA
    assert not states.is_due(entry, T0 + timedelta(days=365))


def test_an_internal_error_is_uncertain_past_data_and_failed_before():
    """GIVEN a bug of cpambot during an attempt WHEN before DATA THEN failed; WHEN past DATA THEN
    uncertain (the server may hold the message); the reason says it in French."""
    before = states.internal_error(sending(), T0, "KeyError : 'x'")
    after = states.internal_error(past_data(), T0, "KeyError : 'x'")

    assert before.state is SendState.FAILED and after.state is SendState.UNCERTAIN
    assert before.reason == after.reason == "erreur interne de cpambot pendant l'envoi (KeyError : 'x')"


def test_a_shutdown_during_an_attempt_records_what_is_known():
    """GIVEN an attempt interrupted by a shutdown WHEN before DATA THEN queued again at once; WHEN past
    DATA THEN uncertain; WHEN the 250 was already recorded THEN nothing changes."""
    before = states.interrupted(sending(), at(1))
    after = states.interrupted(past_data(), at(1))
    done = states.interrupted(states.accepted(past_data(), T0, "250 ok"), at(1))

    assert before is not None and before.state is SendState.QUEUED and before.phase is None
    assert before.next_attempt is None and states.is_due(before, at(1))
    assert after is not None and after.state is SendState.UNCERTAIN
    assert "peut-être été accepté" in (after.reason or "")
    assert done is None


# --------------------------------------------------------------------------- crash recovery, Sent


def test_a_crash_before_data_is_provably_unsent():
    """GIVEN an e-mail left sending before DATA by a crash WHEN recovered THEN queued again at once;
    GIVEN it had used every attempt THEN failed."""
    entry = states.recover_before_data(sending(), at(5))
    assert entry.state is SendState.QUEUED and entry.next_attempt is None and states.is_due(entry, at(5))
    assert entry.reason == "envoi interrompu (arrêt brutal de cpambot) avant la transmission du message"

    worn = states.recover_before_data(replace(sending(), attempts=MAX_ATTEMPTS), at(5))
    assert worn.state is SendState.FAILED
    assert (worn.reason or "").startswith(f"abandonné après {MAX_ATTEMPTS} tentatives")


def test_a_crash_after_data_becomes_uncertain_when_not_in_sent():
    """GIVEN an e-mail left sending past DATA WHEN Sent does not hold it THEN uncertain, one search
    counted; GIVEN an uncertain e-mail WHEN searched again THEN only the count, the time and the
    outcome change (no history line, no new state)."""
    entry = states.not_found(past_data(), at(5), "non retrouvé dans « Envoyés »")

    assert entry.state is SendState.UNCERTAIN and entry.checks == 1 and entry.checked_at == at(5)
    assert "arrêté brutalement" in (entry.reason or "") and "non retrouvé" in (entry.reason or "")
    assert entry.last_check is None

    again = states.not_found(entry, at(60), "vérification impossible")

    assert again.checks == 2 and again.checked_at == at(60) and again.last_check == "vérification impossible"
    assert again.history == entry.history and again.updated == entry.updated and again.reason == entry.reason


def test_found_in_sent_is_sent_when_its_last_attempt_started():
    """GIVEN an uncertain e-mail whose second attempt started at T0+10 min WHEN found in Sent THEN
    sent, dated from that attempt, its copy known to be there."""
    first = states.ambiguous(past_data(T0), T0, "coupé")
    resent = states.confirm_resend(first, at(5))
    second = states.ambiguous(states.enter_data(states.begin_attempt(resent, at(10))), at(11), "coupé")

    entry = states.found_in_sent(second, at(90))

    assert entry.state is SendState.SENT and entry.sent_at == at(10) and entry.updated == at(90)
    assert entry.sent_copy is True and entry.reason == "retrouvé dans Envoyés" and entry.phase is None


# --------------------------------------------------------------------------- human decisions


def test_resend_is_a_human_decision_on_an_uncertain_or_failed_mail():
    """GIVEN an uncertain e-mail WHEN the approver confirms the resend THEN queued, attempts reset,
    the reason names her; GIVEN a sent one THEN refused with its state in French."""
    uncertain = states.ambiguous(past_data(), T0, "coupé")

    entry = states.confirm_resend(uncertain, at(60), by="marie.exemple@example.org")

    assert entry.state is SendState.QUEUED and entry.attempts == 0 and entry.phase is None
    assert entry.reason == "renvoi confirmé par marie.exemple@example.org" and states.is_due(entry, at(60))
    assert states.confirm_resend(states.refused(sending(), T0, "550", None), T0).state is SendState.QUEUED
    with pytest.raises(OutboxStateError, match="impossible de renvoyer .* « envoyé »"):
        states.confirm_resend(states.accepted(past_data(), T0, "250 ok"), T0)


def test_delivered_is_only_for_an_uncertain_mail():
    """GIVEN an uncertain e-mail WHEN the approver says it arrived THEN sent, dated from its attempt;
    GIVEN a failed one THEN refused (it was refused by the server: it did not arrive)."""
    entry = states.confirm_delivered(states.ambiguous(past_data(at(2)), at(3), "coupé"), at(60), by="marie")

    assert entry.state is SendState.SENT and entry.sent_at == at(2)
    assert entry.reason == "réception confirmée par marie" and entry.sent_copy is None
    with pytest.raises(OutboxStateError, match="impossible de confirmer"):
        states.confirm_delivered(states.refused(sending(), T0, "550", None), T0)


def test_cancel_gives_up_a_mail_not_sent():
    """GIVEN a queued e-mail WHEN cancelled THEN cancelled, never due; cancelling it again, or a sent
    one, is refused in French."""
    entry = states.cancel(queued(), at(1))

    assert entry.state is SendState.CANCELLED and entry.reason == "envoi annulé"
    assert not states.is_due(entry, at(9))
    with pytest.raises(OutboxStateError, match="« annulé »"):
        states.cancel(entry, at(2))
    with pytest.raises(OutboxStateError, match="« envoyé »"):
        states.cancel(states.accepted(past_data(), T0, "250 ok"), at(2))


def test_require_names_the_missing_or_busy_mail():
    """GIVEN no such e-mail, or one being sent right now WHEN a decision is asked THEN refused, in
    French, naming it."""
    with pytest.raises(OutboxStateError, match=f"aucun courriel {MID} dans la file d'envoi"):
        states.require(None, MID, states.CANCEL_FROM, "annuler")
    with pytest.raises(OutboxStateError, match="impossible d'annuler le courriel .* « en attente d'envoi »"):
        states.require(queued(), MID, states.CANCEL_FROM, "annuler", busy=True)
    assert states.require(queued(), MID, states.CANCEL_FROM, "annuler") == queued()


# --------------------------------------------------------------------------- the copy in Sent


def test_the_copy_after_a_send_and_its_retries():
    """GIVEN a sent e-mail WHEN its copy is appended THEN sent_copy true, one copy attempt, never due
    again; WHEN a retry finds it already there THEN the history says so."""
    sent = states.accepted(past_data(), T0, "250 ok")
    assert states.copy_due(sent, T0)

    copied = states.copied(sent, T0)

    assert copied.sent_copy is True and copied.copy_attempts == 1 and not states.copy_due(copied, at(600))
    assert copied.history[-1].event is SendEvent.COPY and copied.history[-1].state is SendState.SENT
    assert copied.history[-1].reason == "copie ajoutée dans « Envoyés »" and copied.updated == sent.updated

    found = states.copied(replace(sent, copy_attempts=2), at(5), retried=True, appended=False)

    assert found.copy_attempts == 3 and found.history[-1].reason == "copie déjà présente dans « Envoyés »"


def test_a_failed_copy_is_retried_with_backoff_then_given_up():
    """GIVEN a sent e-mail whose copy keeps failing WHEN each retry comes due THEN sent_copy false, the
    reason says the mail did leave, the waits follow the backoff; after the last try: given up, never
    due again; the mail itself stays sent."""
    entry, now, waits = states.accepted(past_data(), T0, "250 ok"), T0, []
    while states.copy_due(entry, now):
        entry = states.copy_failed(entry, now, "dossier introuvable")
        assert entry.sent_copy is False and entry.state is SendState.SENT
        if entry.copy_next is None:
            break
        assert "le courriel est bien parti" in (entry.sent_copy_reason or "")
        assert not states.copy_due(entry, entry.copy_next - timedelta(seconds=1))
        waits.append(int((entry.copy_next - now).total_seconds() // 60))
        now = entry.copy_next

    assert waits == list(BACKOFF_MINUTES) and entry.copy_attempts == COPY_MAX_ATTEMPTS
    assert entry.sent_copy_reason == (f"copie dans « Envoyés » abandonnée après {COPY_MAX_ATTEMPTS} essais : "
                                      "dossier introuvable")
    assert not states.copy_due(entry, now + timedelta(days=30))
    assert events(entry).count("copy_failed") == COPY_MAX_ATTEMPTS


def test_no_sent_folder_means_no_copy():
    """GIVEN no Sent folder configured WHEN an e-mail is sent THEN no copy is attempted, and why is
    kept (no history line); an unsent e-mail never has a copy due."""
    entry = states.copy_skipped(states.accepted(past_data(), T0, "250 ok"))

    assert entry.sent_copy is None and entry.sent_copy_reason == "aucun dossier « Envoyés » configuré"
    assert events(entry)[-1] == "sent" and not states.copy_due(queued(), T0)


# --------------------------------------------------------------------------- through the store format


def test_every_transition_survives_the_store_format():
    """GIVEN a walk through every transition WHEN each entry is turned into the stored dict and back
    THEN it is the same value: the machine keeps nothing the store would lose."""
    walk = [queued(T0.replace(microsecond=1))]
    walk.append(states.begin_attempt(walk[-1], at(0.5)))
    walk.append(states.enter_data(walk[-1]))
    walk.append(states.ambiguous(walk[-1], at(1), "coupé"))
    walk.append(states.not_found(walk[-1], at(2), "non retrouvé dans « Envoyés »"))
    walk.append(states.confirm_resend(walk[-1], at(3), by="marie"))
    walk.append(states.begin_attempt(walk[-1], at(4)))
    walk.append(states.retry_later(walk[-1], at(4), "451", "451 plus tard"))
    walk.append(states.begin_attempt(walk[-1], at(6)))
    walk.append(states.accepted(states.enter_data(walk[-1]), at(6), "250 ok"))
    walk.append(states.copy_failed(walk[-1], at(6), "dossier introuvable"))
    walk.append(states.copied(walk[-1], at(8), retried=True, appended=False))
    for entry in walk:
        assert OutboxEntry.from_doc(entry.to_doc()) == entry


def test_a_bounce_marks_a_sent_email_not_delivered_once():
    """GIVEN a sent e-mail WHEN a delivery report says it did not arrive THEN it is ``bounced`` with the
    reason, may be sent again or cancelled by a human, and the same report read again changes nothing;
    GIVEN a queued e-mail WHEN a bounce names it THEN that is refused (it never left)."""
    sent = states.accepted(past_data(), T0, "250 ok")
    bounced = states.bounced(sent, at(3), "non distribué à x@cpam.fr : cette adresse n'existe pas")
    assert bounced.state is SendState.BOUNCED and events(bounced)[-1] == "bounced"
    assert states.bounced(bounced, at(9), "encore") is bounced
    assert states.confirm_resend(bounced, at(10)).state is SendState.QUEUED
    assert states.cancel(bounced, at(10)).state is SendState.CANCELLED
    with pytest.raises(OutboxStateError):
        states.bounced(queued(), at(3), "non distribué")


def test_a_delay_warning_is_one_history_line():
    """GIVEN a sent e-mail WHEN a report says its delivery is delayed, twice THEN it stays ``sent`` with
    one history line for it."""
    sent = states.accepted(past_data(), T0, "250 ok")
    late = states.delay_noted(sent, at(60), "distribution retardée pour x@cpam.fr")
    assert late.state is SendState.SENT and events(late)[-1] == "delayed"
    assert states.delay_noted(late, at(120), "distribution retardée pour x@cpam.fr") is late

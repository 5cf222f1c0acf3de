"""Tests of the test infrastructure itself: the real Dovecot and SMTP servers
behind the fixtures of conftest.py behave as the bot tests expect."""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from dataclasses import replace
from email.message import EmailMessage

import aiosmtplib
import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError
from servers import DovecotServer, ImapUser, SmtpCapture, client_ssl_context


def _raw_message(subject: str) -> bytes:
    return (
        f"From: alice@example.org\r\nTo: bot@example.org\r\n"
        f"Subject: {subject}\r\nMessage-ID: <{subject}@example.org>\r\n\r\nbody\r\n"
    ).encode()


def _email(subject: str = "hello") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "bot@example.org"
    message["To"] = "alice@example.org"
    message["Subject"] = subject
    message.set_content("Hello from the bot.\n")
    return message


def _is_tls(imap: IMAPClient) -> bool:
    return isinstance(imap.socket(), ssl.SSLSocket)


# --- IMAP -------------------------------------------------------------------


def test_login_plain(imap_user: ImapUser) -> None:
    """GIVEN a fresh IMAP user WHEN logging in on the plain port
    THEN the session is unencrypted, INBOX is empty and IDLE/UIDPLUS are offered."""
    with imap_user.client() as imap:
        assert not _is_tls(imap)
        assert {b"IDLE", b"UIDPLUS", b"MOVE"} <= set(imap.capabilities())
        assert imap.select_folder("INBOX")[b"EXISTS"] == 0


def test_login_implicit_tls_with_cafile(imap_user: ImapUser) -> None:
    """GIVEN the IMAPS port and the server's self-signed cert WHEN connecting with
    ssl=True THEN the certificate verifies against cafile and login succeeds."""
    with imap_user.client(ssl=True) as imap:
        assert _is_tls(imap)
        assert imap.folder_exists("INBOX")


def test_implicit_tls_rejects_unknown_ca(imap_user: ImapUser) -> None:
    """GIVEN the IMAPS port WHEN connecting with the system CA store only
    THEN certificate verification fails (so cafile really matters)."""
    with pytest.raises(ssl.SSLCertVerificationError):
        IMAPClient(imap_user.host, port=imap_user.tls_port, ssl=True, timeout=5)


def test_starttls(imap_user: ImapUser) -> None:
    """GIVEN the plain port WHEN the client issues STARTTLS before LOGIN
    THEN the session is encrypted and usable."""
    with imap_user.client(starttls=True) as imap:
        assert _is_tls(imap)
        assert imap.select_folder("INBOX")[b"EXISTS"] == 0


def test_wrong_password_raises_login_error(imap_user: ImapUser) -> None:
    """GIVEN an existing user WHEN logging in with a wrong password
    THEN imapclient raises LoginError (quickly: no auth penalty in tests)."""
    started = time.monotonic()
    with pytest.raises(LoginError, match="AUTHENTICATIONFAILED"):
        replace(imap_user, password="wrong").client()
    assert time.monotonic() - started < 3


def test_user_added_after_a_login_can_log_in_at_once(dovecot: DovecotServer) -> None:
    """GIVEN a running server that just authenticated someone WHEN a new user is
    added (password containing ':' and a space) THEN that user logs in immediately."""
    dovecot.add_user("first-login@example.org", "pw").client().logout()
    late = dovecot.add_user("late-user@example.org", "p:w with space")
    with late.client() as imap:
        assert imap.folder_exists("INBOX")


def test_append_returns_increasing_uids(imap_user: ImapUser) -> None:
    """GIVEN an empty INBOX WHEN messages are appended one by one and in a
    MULTIAPPEND batch THEN the returned UIDs increase and match the server's."""
    first = imap_user.append("INBOX", _raw_message("one"))
    second = imap_user.append("INBOX", _raw_message("two"), flags=[b"\\Seen"])
    batch = imap_user.multiappend("INBOX", [_raw_message(f"m{i}") for i in range(3)])

    assert [first, second, *batch] == sorted({first, second, *batch})
    assert imap_user.uids("INBOX") == [first, second, *batch]
    flags = imap_user.fetch_flags("INBOX")
    assert b"\\Seen" in flags[second] and b"\\Seen" not in flags[first]


def test_append_creates_missing_folder_and_folder_helpers(imap_user: ImapUser) -> None:
    """GIVEN a folder that does not exist WHEN appending to it THEN it is created;
    WHEN it is deleted and re-created THEN its UIDVALIDITY changes."""
    uid = imap_user.append("Bot/Processed", _raw_message("x"))
    validity = imap_user.folder_uidvalidity("Bot/Processed")
    assert imap_user.uids("Bot/Processed") == [uid]

    imap_user.delete_folder("Bot/Processed")
    imap_user.create_folder("Bot/Processed")
    assert imap_user.uids("Bot/Processed") == []
    assert imap_user.folder_uidvalidity("Bot/Processed") != validity


def test_special_use_folders_and_maildir(imap_user: ImapUser) -> None:
    """GIVEN a fresh user WHEN listing folders THEN Sent and Trash exist with their
    special-use flags and are subscribed; appended mail is a Maildir file."""
    with imap_user.client() as imap:
        special = {name: flags for flags, _, name in imap.list_folders()}
        subscribed = {name for _, _, name in imap.list_sub_folders()}
    assert b"\\Sent" in special["Sent"] and b"\\Trash" in special["Trash"]
    assert {"Sent", "Trash"} <= subscribed

    imap_user.append("INBOX", _raw_message("on-disk"))
    assert imap_user.maildir is not None
    files = [*(imap_user.maildir / "cur").iterdir(), *(imap_user.maildir / "new").iterdir()]
    # Dovecot stores Maildir files with LF line endings (CRLF again over IMAP).
    assert [f.read_bytes() for f in files] == [_raw_message("on-disk").replace(b"\r\n", b"\n")]


def test_users_are_isolated(dovecot: DovecotServer, imap_user: ImapUser) -> None:
    """GIVEN two users WHEN one receives a message THEN the other's INBOX stays empty."""
    other = dovecot.add_user(f"other-{imap_user.username}", "pw")
    imap_user.append("INBOX", _raw_message("private"))
    assert other.uids("INBOX") == []
    assert len(imap_user.uids("INBOX")) == 1


def test_helpers_do_not_mark_messages_seen(imap_user: ImapUser) -> None:
    """GIVEN an unread message WHEN the helpers read flags and bodies
    THEN the message is still unread."""
    uid = imap_user.append("INBOX", _raw_message("unread"))
    assert imap_user.fetch_raw("INBOX")[uid] == _raw_message("unread")
    assert b"\\Seen" not in imap_user.fetch_flags("INBOX")[uid]


def test_idle_wakes_up_when_another_connection_appends(imap_user: ImapUser) -> None:
    """GIVEN a connection IDLE on INBOX WHEN another connection appends a message
    THEN idle_check() reports EXISTS within a few seconds."""
    with imap_user.client() as imap:
        imap.select_folder("INBOX")
        imap.idle()
        try:
            imap_user.append("INBOX", _raw_message("wake-up"))
            responses = _idle_until(imap, b"EXISTS", timeout=5)
        finally:
            imap.idle_done()
    assert (1, b"EXISTS") in responses


def _idle_until(imap: IMAPClient, keyword: bytes, timeout: float) -> list[tuple]:
    deadline = time.monotonic() + timeout
    seen: list[tuple] = []
    while time.monotonic() < deadline:
        seen += imap.idle_check(timeout=max(0.1, deadline - time.monotonic()))
        if any(len(item) > 1 and item[1] == keyword for item in seen):
            break
    return seen


# --- SMTP -------------------------------------------------------------------


@pytest.mark.asyncio
async def test_smtp_capture_receives_message(smtp_server: SmtpCapture) -> None:
    """GIVEN a plain capture server WHEN aiosmtplib sends a message
    THEN the envelope and raw content are captured."""
    await aiosmtplib.send(_email("captured"), hostname=smtp_server.host, port=smtp_server.port)

    [captured] = smtp_server.wait_for(1, timeout=5)
    assert captured.mail_from == "bot@example.org"
    assert captured.rcpt_tos == ["alice@example.org"]
    assert b"Subject: captured" in captured.content
    assert not captured.tls and captured.auth_login is None


@pytest.mark.asyncio
async def test_smtp_starttls_and_auth(smtp_server_factory: Callable[..., SmtpCapture]) -> None:
    """GIVEN a server requiring STARTTLS and AUTH WHEN the client upgrades and logs in
    THEN the message is captured as sent over TLS by that user."""
    server = smtp_server_factory(starttls=True, auth=("bot", "s3cret"))
    assert server.cafile is not None
    await aiosmtplib.send(
        _email(),
        hostname=server.host,
        port=server.port,
        start_tls=True,
        tls_context=client_ssl_context(server.cafile),
        username="bot",
        password="s3cret",
    )
    [captured] = server.wait_for(1)
    assert captured.tls and captured.auth_login == "bot"


@pytest.mark.asyncio
async def test_smtp_refuses_bad_credentials_and_missing_tls(
    smtp_server_factory: Callable[..., SmtpCapture],
) -> None:
    """GIVEN a server requiring STARTTLS and AUTH WHEN the client uses a wrong
    password, or skips STARTTLS THEN it gets 535, resp. 530, and nothing is captured."""
    server = smtp_server_factory(starttls=True, auth=("bot", "s3cret"))
    assert server.cafile is not None
    tls = client_ssl_context(server.cafile)
    with pytest.raises(aiosmtplib.SMTPAuthenticationError) as bad_password:
        await aiosmtplib.send(
            _email(),
            hostname=server.host,
            port=server.port,
            start_tls=True,
            tls_context=tls,
            username="bot",
            password="wrong",
        )
    with pytest.raises(aiosmtplib.SMTPSenderRefused) as no_tls:
        await aiosmtplib.send(_email(), hostname=server.host, port=server.port, start_tls=False)
    assert (bad_password.value.code, no_tls.value.code) == (535, 530)
    assert server.messages == []


@pytest.mark.asyncio
async def test_smtp_auth_without_tls(smtp_server_factory: Callable[..., SmtpCapture]) -> None:
    """GIVEN a plain server requiring AUTH WHEN a client sends without logging in
    THEN it is refused with 530; WITH credentials THEN the message is captured."""
    server = smtp_server_factory(auth=("bot", "pw"))
    with pytest.raises(aiosmtplib.SMTPSenderRefused):
        await aiosmtplib.send(_email(), hostname=server.host, port=server.port)
    await aiosmtplib.send(
        _email(), hostname=server.host, port=server.port, username="bot", password="pw"
    )
    assert server.wait_for(1)[0].auth_login == "bot"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("fail_mode", "expected_error", "expected_code", "captured_count"),
    [
        ("tempfail", aiosmtplib.SMTPDataError, 451, 0),
        ("permfail", aiosmtplib.SMTPDataError, 550, 0),
        ("drop_after_data", aiosmtplib.SMTPServerDisconnected, None, 1),
    ],
)
async def test_smtp_fail_modes(
    smtp_server_factory: Callable[..., SmtpCapture],
    fail_mode: str,
    expected_error: type[Exception],
    expected_code: int | None,
    captured_count: int,
) -> None:
    """GIVEN a server with an injected fault WHEN a message is sent
    THEN the client sees the expected error; for drop_after_data the server has
    nevertheless recorded the message (the ambiguous case that must not be
    blindly retried)."""
    server = smtp_server_factory(fail_mode=fail_mode)
    with pytest.raises(expected_error) as error:
        await aiosmtplib.send(_email(), hostname=server.host, port=server.port, timeout=5)

    if expected_code is not None:
        assert error.value.code == expected_code  # type: ignore[attr-defined]
    assert len(server.messages) == captured_count
    assert len(server.rejected) == 1 - captured_count


@pytest.mark.asyncio
async def test_smtp_fail_mode_can_be_switched_off(
    smtp_server_factory: Callable[..., SmtpCapture],
) -> None:
    """GIVEN a tempfailing server WHEN the fault is cleared and the client retries
    THEN the retry is accepted."""
    server = smtp_server_factory(fail_mode="tempfail")
    with pytest.raises(aiosmtplib.SMTPDataError):
        await aiosmtplib.send(_email(), hostname=server.host, port=server.port)
    server.fail_mode = None
    await aiosmtplib.send(_email(), hostname=server.host, port=server.port)
    assert len(server.wait_for(1)) == 1


def test_wait_for_times_out(smtp_server: SmtpCapture) -> None:
    """GIVEN a capture server that received nothing WHEN waiting for a message
    THEN TimeoutError is raised after the timeout."""
    with pytest.raises(TimeoutError):
        smtp_server.wait_for(1, timeout=0.1)

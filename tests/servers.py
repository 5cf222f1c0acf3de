"""Real mail servers for the test suite: a throw-away Dovecot IMAP server and
an aiosmtpd SMTP capture server.

Nothing here is a mock: tests talk to a real Dovecot process over TCP on
127.0.0.1 and to a real aiosmtpd server running in a thread.

Plain helpers only (no pytest import), so the module can also be used from a
REPL or a script:

    with DovecotServer() as dovecot:
        user = dovecot.add_user("alice@example.org", "secret")
        uid = user.append("INBOX", b"Subject: hi\\r\\n\\r\\nbody\\r\\n")

    with SmtpCapture() as smtp:
        ...send to smtp.host:smtp.port...
        smtp.wait_for(1)

Dovecot traps handled here (see /work/shared/testing-notes.md, section 1):
mail processes cannot run as UID 0 (we use nobody/nogroup), every parent
directory must be world-traversable (mkdtemp under /tmp + chmod 0755), unix
socket paths must stay under 108 bytes (short base_dir), readiness is the
"* OK" greeting (not a bare TCP connect). Found while writing this module:
- Dovecot's auth penalty (anvil) delays EVERY later login from 127.0.0.1,
  successful ones included, by 2/4/8/15 s after a failed login; it is
  disabled in the generated config (anvil-auth-penalty socket mode 0), and
  auth_failure_delay defaults to 0 here (a wrong password fails in ~0.5 s).
- state_dir points into the instance dir, so /var/lib/dovecot is untouched.
- Maildir files are stored with LF line endings (IMAP serves CRLF).

User addition: each user gets its own one-line passwd file
(``<root>/users/<username>``, selected by ``%u`` in the passdb/userdb
path). Dovecot's passwd-file driver stats a file at most once per second
(it caches "last sync time" per file), so a user appended to a single shared
file within the same second as a previous login is not seen yet. A file per
user is opened on the first lookup of that user, after ``add_user`` wrote it,
so a new user can log in immediately.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import ctypes
import datetime as dt
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from imapclient import IMAPClient

LOCALHOST = "127.0.0.1"
DOVECOT_BIN = "dovecot"
MAIL_UID = "nobody"
MAIL_GID = "nogroup"
_USERNAME_RE = re.compile(r"^[A-Za-z0-9_+=-][A-Za-z0-9._@+=-]{0,99}$")
_APPENDUID_RE = re.compile(rb"\[APPENDUID (\d+) ([0-9:,]+)\]")


# --------------------------------------------------------------------------
# Generic helpers
# --------------------------------------------------------------------------


def ensure_dovecot() -> str:
    """Return the path of the ``dovecot`` binary, installing it if needed.

    CI runs as root on Debian, so a missing binary is fixed with apt-get.
    Raises RuntimeError if Dovecot still cannot be found.
    """
    path = _find_dovecot()
    if path:
        return path
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "update"], env=env, check=True, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "dovecot-imapd"],
            env=env,
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        raise RuntimeError(
            "Dovecot is not installed and 'apt-get install dovecot-imapd' failed "
            f"({exc}): {detail.decode(errors='replace')[-2000:]}"
        ) from exc
    path = _find_dovecot()
    if not path:
        raise RuntimeError(
            "Dovecot is still missing after 'apt-get install dovecot-imapd'; "
            "install the dovecot-imapd package (needs root) to run the IMAP tests."
        )
    return path


def _find_dovecot() -> str | None:
    """Locate the dovecot binary (it lives in /usr/sbin, often not on PATH)."""
    search_path = os.environ.get("PATH", "") + os.pathsep + "/usr/sbin:/sbin"
    return shutil.which(DOVECOT_BIN, path=search_path)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCALHOST, 0))
        return int(sock.getsockname()[1])


def make_self_signed_cert(directory: Path, name: str = "cert") -> tuple[Path, Path]:
    """Create a self-signed cert (SAN localhost + 127.0.0.1) with the openssl CLI.

    Returns (cert_path, key_path). An EC P-256 key keeps generation fast.
    """
    cert = directory / f"{name}.pem"
    key = directory / f"{name}.key"
    options = (
        "req -x509 -nodes -days 3650 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
        " -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1"
    ).split()
    command = ["openssl", *options, "-keyout", str(key), "-out", str(cert)]
    subprocess.run(command, check=True, capture_output=True)
    return cert, key


def make_world_readable_tmpdir(prefix: str) -> Path:
    """mkdtemp under /tmp (not pytest's 0700 tmp_path), mode 0755."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    return path


def client_ssl_context(cafile: Path | str) -> ssl.SSLContext:
    """A verifying client TLS context that trusts only *cafile*."""
    return ssl.create_default_context(cafile=str(cafile))


def _parse_uid_set(uid_set: bytes) -> list[int]:
    """Expand an IMAP uid-set such as b"3:5,9" into [3, 4, 5, 9]."""
    uids: list[int] = []
    for part in uid_set.decode().split(","):
        low, _, high = part.partition(":")
        start, end = int(low), int(high or low)
        uids.extend(range(min(start, end), max(start, end) + 1))
    return uids


def _parse_appenduid(response: Any) -> list[int]:
    """Extract the UIDs from an APPEND/MULTIAPPEND ``[APPENDUID v uids]`` reply.

    IMAPClient.append() returns the reply text (bytes); multiappend() returns
    the raw imaplib ``(typ, [data, ...])`` tuple.
    """
    if isinstance(response, tuple):
        response = b" ".join(d for d in response[1] if isinstance(d, bytes))
    match = _APPENDUID_RE.search(response)
    if match is None:
        raise RuntimeError(f"no APPENDUID in server reply: {response!r}")
    return _parse_uid_set(match.group(2))


_PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved before any fork


def _set_parent_death_signal() -> None:
    """preexec_fn: have the kernel SIGTERM Dovecot if the test process dies
    (e.g. pytest killed with SIGKILL, so no fixture teardown runs)."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


# --------------------------------------------------------------------------
# IMAP user
# --------------------------------------------------------------------------


@dataclass
class ImapUser:
    """Credentials of one Dovecot user plus convenience IMAP helpers.

    Every helper opens its own short-lived connection, so it never disturbs
    the state (selected folder, \\Recent, \\Seen) of the code under test.
    """

    host: str
    port: int
    tls_port: int
    cafile: Path
    username: str
    password: str
    maildir: Path | None = None

    def client(self, ssl: bool = False, starttls: bool = False) -> IMAPClient:
        """A logged-in IMAPClient: plain port, STARTTLS, or implicit TLS (ssl=True)."""
        context = client_ssl_context(self.cafile)
        port = self.tls_port if ssl else self.port
        imap = IMAPClient(self.host, port=port, ssl=ssl, ssl_context=context, timeout=10)
        try:
            if starttls and not ssl:
                imap.starttls(context)
            imap.login(self.username, self.password)
        except BaseException:
            _close_quietly(imap)
            raise
        return imap

    def create_folder(self, folder: str) -> None:
        """Create *folder*; no-op if it already exists."""
        with self.client() as imap:
            _ensure_folder(imap, folder)

    def delete_folder(self, folder: str) -> None:
        """Delete *folder*; no-op if it does not exist."""
        with self.client() as imap:
            if imap.folder_exists(folder):
                imap.delete_folder(folder)

    def append(
        self,
        folder: str,
        raw: bytes,
        flags: Sequence[str | bytes] = (),
        msg_time: dt.datetime | None = None,
    ) -> int:
        """APPEND *raw* to *folder* (created if missing); return its UID."""
        with self.client() as imap:
            _ensure_folder(imap, folder)
            response = imap.append(folder, raw, flags=tuple(flags), msg_time=msg_time)
        return _parse_appenduid(response)[0]

    def multiappend(self, folder: str, messages: Iterable[bytes]) -> list[int]:
        """MULTIAPPEND *messages* to *folder* in one command; return their UIDs."""
        batch = list(messages)
        if not batch:
            return []
        with self.client() as imap:
            _ensure_folder(imap, folder)
            response = imap.multiappend(folder, batch)
        return _parse_appenduid(response)

    def uids(self, folder: str = "INBOX") -> list[int]:
        """Sorted UIDs of all messages in *folder* (opened read-only)."""
        with self.client() as imap:
            imap.select_folder(folder, readonly=True)
            return sorted(imap.search("ALL"))

    def fetch_flags(self, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        """UID -> flags of every message in *folder*.

        Uses EXAMINE (read-only) and fetches only FLAGS, so nothing changes on
        the server: no \\Seen is set and the \\Recent flags stay unclaimed.
        """
        with self.client() as imap:
            imap.select_folder(folder, readonly=True)
            uids = imap.search("ALL")
            if not uids:
                return {}
            data = imap.fetch(uids, ["FLAGS"])
        return {uid: tuple(item[b"FLAGS"]) for uid, item in data.items()}

    def fetch_raw(self, folder: str = "INBOX") -> dict[int, bytes]:
        """UID -> full raw message, read with BODY.PEEK[] (leaves \\Seen alone)."""
        with self.client() as imap:
            imap.select_folder(folder, readonly=True)
            uids = imap.search("ALL")
            if not uids:
                return {}
            data = imap.fetch(uids, ["BODY.PEEK[]"])
        return {uid: item[b"BODY[]"] for uid, item in data.items()}

    def folder_uidvalidity(self, folder: str = "INBOX") -> int:
        """UIDVALIDITY of *folder*, read with STATUS."""
        with self.client() as imap:
            status = imap.folder_status(folder, [b"UIDVALIDITY"])
        return int(status[b"UIDVALIDITY"])


def _ensure_folder(imap: IMAPClient, folder: str) -> None:
    if not imap.folder_exists(folder):
        imap.create_folder(folder)


def _close_quietly(imap: IMAPClient) -> None:
    try:
        imap.shutdown()
    except Exception:  # noqa: BLE001 - best effort cleanup
        pass


# --------------------------------------------------------------------------
# Dovecot
# --------------------------------------------------------------------------

_DOVECOT_CONF = """\
# Generated by tests/servers.py -- throw-away test instance.
protocols = imap
listen = {host}
base_dir = {root}/run
state_dir = {root}/state
instance_name = cpambot-test-{instance}
log_path = {root}/log/dovecot.log
info_log_path = {root}/log/dovecot.log
auth_verbose = yes
ssl = yes
ssl_cert = <{root}/ssl/cert.pem
ssl_key = <{root}/ssl/cert.key
disable_plaintext_auth = no
auth_mechanisms = plain login{oauth_mechanisms}
auth_failure_delay = {auth_failure_delay} secs
mail_location = maildir:{root}/mail/%u/Maildir
mail_uid = {mail_uid}
mail_gid = {mail_gid}
first_valid_uid = {first_valid_uid}
first_valid_gid = {first_valid_gid}
mail_fsync = never
{oauth_passdb}passdb {{
  driver = passwd-file
  args = username_format=%u {root}/users/%u
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users/%u
  default_fields = home={root}/mail/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Trash {{
    special_use = \\Trash
    auto = subscribe
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {tls_port}
    ssl = yes
  }}
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
# Disable the auth penalty: otherwise anvil delays EVERY login from 127.0.0.1
# (successful ones too) by 2, 4, 8 ... 15 s after failed logins, so one
# wrong-password test would slow down all the following tests.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


class MasterProcessServer:
    """What every throw-away server here shares once started: a master process (``_process``, its own
    process group) and an instance directory (``root``); stopping and the ``with`` statement."""

    STOP_TIMEOUT = 10.0
    root: Path | None
    _process: subprocess.Popen[bytes] | None

    def start(self) -> Any:
        raise NotImplementedError

    def stop(self) -> None:
        """SIGTERM the master (it takes its children along), SIGKILL the process group as a fallback,
        then remove the whole instance directory."""
        atexit.unregister(self.stop)
        process, self._process = self._process, None
        if process is not None:
            _terminate_process_group(process, self.STOP_TIMEOUT)
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


class DovecotServer(MasterProcessServer):
    """A private Dovecot IMAP instance on 127.0.0.1 (plain/STARTTLS + IMAPS).

    Attributes once started: host, port, tls_port, cafile, root.
    Mail is stored as Maildir under ``root/mail/<username>/Maildir``.
    """

    START_TIMEOUT = 10.0
    STOP_TIMEOUT = 10.0
    START_ATTEMPTS = 3  # free_port() can race with another process

    def __init__(self, auth_failure_delay: int = 0, *, oauth_introspection: str | None = None) -> None:
        """*auth_failure_delay* (seconds) is 2 in stock Dovecot; 0 keeps
        wrong-password tests fast. *oauth_introspection*: a token introspection URL (RFC 7662) that
        Dovecot's oauth2 passdb asks, so that XOAUTH2 and OAUTHBEARER sign-ins are accepted."""
        self.oauth_introspection = oauth_introspection
        self.host = LOCALHOST
        self.port = 0
        self.tls_port = 0
        self.auth_failure_delay = auth_failure_delay
        self.root: Path | None = None
        self.cafile: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> DovecotServer:
        if self._process is not None:
            raise RuntimeError("DovecotServer already started")
        binary = ensure_dovecot()
        self.root = make_world_readable_tmpdir("cpambot-dovecot-")
        try:
            self._prepare_files()
            self._start_with_retries(binary)
        except BaseException:
            self.stop()
            raise
        atexit.register(self.stop)  # safety net if the caller forgets stop()
        return self

    # -- users ---------------------------------------------------------------

    def add_user(self, name: str, password: str) -> ImapUser:
        """Create user *name*; usable immediately, even while Dovecot runs."""
        root = self._require_root()
        if not _USERNAME_RE.match(name):
            raise ValueError(f"unsupported test username: {name!r}")
        passwd = root / "users" / name
        if passwd.exists():
            raise ValueError(f"user {name!r} already exists")
        tmp = passwd.with_name(f".{name}.tmp")
        tmp.write_text(f"{name}:{_password_field(password)}:::::\n", encoding="utf-8")
        tmp.chmod(0o644)
        tmp.rename(passwd)  # atomic: Dovecot never reads a half-written file
        return ImapUser(
            host=self.host,
            port=self.port,
            tls_port=self.tls_port,
            cafile=self._require_cafile(),
            username=name,
            password=password,
            maildir=self.maildir(name),
        )

    def maildir(self, username: str) -> Path:
        """Path of *username*'s Maildir (exists after the first login)."""
        return self._require_root() / "mail" / username / "Maildir"

    def log_text(self) -> str:
        """Contents of the Dovecot log (and its stderr), for debugging."""
        if self.root is None:
            return ""
        parts = []
        for path in (self.root / "log" / "dovecot.log", self.root / "log" / "stderr.log"):
            if path.exists():
                parts.append(path.read_text(encoding="utf-8", errors="replace"))
        return "".join(parts)

    # -- internals -----------------------------------------------------------

    def _require_root(self) -> Path:
        if self.root is None:
            raise RuntimeError("DovecotServer is not started")
        return self.root

    def _require_cafile(self) -> Path:
        if self.cafile is None:
            raise RuntimeError("DovecotServer is not started")
        return self.cafile

    def _prepare_files(self) -> None:
        root = self._require_root()
        for sub in ("run", "state", "mail", "ssl", "log", "users"):
            (root / sub).mkdir(mode=0o755)
            (root / sub).chmod(0o755)  # mkdir's mode is masked by the umask
        shutil.chown(root / "mail", MAIL_UID, MAIL_GID)
        self.cafile, _ = make_self_signed_cert(root / "ssl")

    def _start_with_retries(self, binary: str) -> None:
        last_error: Exception | None = None
        for _ in range(self.START_ATTEMPTS):
            self.port, self.tls_port = free_port(), free_port()
            try:
                self._spawn(binary)
                self._wait_for_greeting()
                return
            except RuntimeError as exc:  # e.g. port taken between probe and bind
                last_error = exc
                if self._process is not None:
                    _terminate_process_group(self._process, self.STOP_TIMEOUT)
                    self._process = None
        raise RuntimeError(f"Dovecot did not start: {last_error}")

    def _write_config(self) -> Path:
        root = self._require_root()
        conf = root / "dovecot.conf"
        conf.write_text(
            _DOVECOT_CONF.format(
                host=self.host,
                root=root,
                instance=root.name,
                port=self.port,
                tls_port=self.tls_port,
                auth_failure_delay=self.auth_failure_delay,
                oauth_mechanisms=" xoauth2 oauthbearer" if self.oauth_introspection else "",
                oauth_passdb=self._oauth_passdb(root),
                mail_uid=MAIL_UID,
                mail_gid=MAIL_GID,
                first_valid_uid=_uid_of(MAIL_UID),
                first_valid_gid=_gid_of(MAIL_GID),
            ),
            encoding="utf-8",
        )
        return conf

    def _oauth_passdb(self, root: Path) -> str:
        if not self.oauth_introspection:
            return ""
        conf = root / "dovecot-oauth2.conf.ext"
        conf.write_text(f"introspection_mode = post\nintrospection_url = {self.oauth_introspection}\n"
                        "force_introspection = yes\nusername_attribute = username\n"
                        "active_attribute = active\nactive_value = true\n", encoding="utf-8")
        return (f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {conf}\n}}\n")

    def _spawn(self, binary: str) -> None:
        conf = self._write_config()
        stderr = open(self._require_root() / "log" / "stderr.log", "ab")  # noqa: SIM115
        with stderr:
            self._process = subprocess.Popen(
                [binary, "-F", "-c", str(conf)],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
                start_new_session=True,  # own process group, see stop()
                preexec_fn=_set_parent_death_signal,
            )

    def _wait_for_greeting(self) -> None:
        deadline = time.monotonic() + self.START_TIMEOUT
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"dovecot exited with code {self._process.returncode}:\n{self.log_text()}"
                )
            if _read_greeting(self.host, self.port).startswith(b"* OK"):
                return
            time.sleep(0.02)
        raise RuntimeError(f"no IMAP greeting within {self.START_TIMEOUT}s:\n{self.log_text()}")


def _password_field(password: str) -> str:
    """passwd-file password field; base64 when the password would break the
    colon-separated format (Dovecot decodes the ``.BASE64`` scheme suffix)."""
    if re.search(r"[:\s\x00-\x1f]", password) or password.startswith("{"):
        encoded = base64.b64encode(password.encode("utf-8")).decode("ascii")
        return "{PLAIN.BASE64}" + encoded
    return "{PLAIN}" + password


def _read_greeting(host: str, port: int) -> bytes:
    """First line sent by the server, or b"" if it is not listening yet."""
    try:
        with socket.create_connection((host, port), timeout=1.0) as sock:
            data = b""
            while b"\n" not in data:
                chunk = sock.recv(1024)
                if not chunk:
                    break
                data += chunk
            sock.sendall(b"x LOGOUT\r\n")
            return data
    except OSError:
        return b""


def _terminate_process_group(process: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM *process*, wait until it exits, SIGKILL its process group, reap it.

    The group is killed while the master is still an unreaped zombie, so its
    process-group id cannot have been reused by an unrelated process.
    """
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        _wait_exited_unreaped(process.pid, timeout)
        # The process leads its own session (start_new_session=True): kill
        # whatever child could have outlived the master (normally none).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _wait_exited_unreaped(pid: int, timeout: float) -> bool:
    """Wait up to *timeout* s for *pid* to exit, leaving it unreaped."""
    deadline = time.monotonic() + timeout
    flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
    while time.monotonic() < deadline:
        if os.waitid(os.P_PID, pid, flags) is not None:
            return True
        time.sleep(0.02)
    return False


def _uid_of(user: str) -> int:
    import pwd

    return pwd.getpwnam(user).pw_uid


def _gid_of(group: str) -> int:
    import grp

    return grp.getgrnam(group).gr_gid


# --------------------------------------------------------------------------
# SMTP capture
# --------------------------------------------------------------------------

FAIL_MODES = (None, "tempfail", "permfail", "drop_after_data")


@dataclass(frozen=True)
class CapturedMessage:
    """One message accepted (or, for drop_after_data, swallowed) by SmtpCapture."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    auth_login: str | None = None
    tls: bool = False


class _CaptureHandler:
    """aiosmtpd handler: records messages and applies the fault injection."""

    def __init__(self, capture: SmtpCapture) -> None:
        self._capture = capture

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = _captured_message(session, envelope)
        mode = self._capture.fail_mode
        if mode == "tempfail":
            self._capture._record(message, rejected=True)
            return "451 4.3.0 Temporary failure (injected by SmtpCapture)"
        if mode == "permfail":
            self._capture._record(message, rejected=True)
            return "550 5.7.1 Message rejected (injected by SmtpCapture)"
        self._capture._record(message)
        if mode == "drop_after_data":
            # Data fully received and stored, but the final reply never goes
            # out: the client cannot know whether the message was accepted.
            transport = server.transport
            assert isinstance(transport, asyncio.Transport)
            transport.abort()
        return "250 2.0.0 OK (captured)"


def _captured_message(session: Session, envelope: Envelope) -> CapturedMessage:
    content = envelope.original_content or b""
    if isinstance(content, str):
        content = content.encode("utf-8")
    login = None
    if session.authenticated and isinstance(session.auth_data, LoginPassword):
        login = session.auth_data.login.decode("utf-8", errors="replace")
    return CapturedMessage(
        mail_from=envelope.mail_from or "",
        rcpt_tos=list(envelope.rcpt_tos),
        content=content,
        auth_login=login,
        tls=session.ssl is not None,
    )


class _Authenticator:
    """aiosmtpd authenticator accepting exactly one login/password pair."""

    def __init__(self, username: str, password: str) -> None:
        self._expected = (username.encode("utf-8"), password.encode("utf-8"))

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (
            (auth_data.login, auth_data.password) == self._expected
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


class _OAuthCaptureHandler(_CaptureHandler):
    """The capture handler that also takes AUTH XOAUTH2, the token checked by ``user_of`` (token → user or
    None), as a mail server that asks its identity provider would."""

    def __init__(self, capture: SmtpCapture, user_of: Callable[[str], str | None]) -> None:
        super().__init__(capture)
        self._user_of = user_of

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:  # noqa: N802 - aiosmtpd's name
        try:
            fields = dict(part.split("=", 1) for part in
                          base64.b64decode(args[1]).decode().split("\x01") if "=" in part)
        except (IndexError, ValueError):
            return AuthResult(success=False, handled=False)
        token = fields.get("auth", "").removeprefix("Bearer ")
        user = self._user_of(token)
        ok = user is not None and user == fields.get("user")
        if not ok:  # as Gmail and Outlook do: a 334 with the error in JSON, her empty answer, then 535
            await server.challenge_auth('{"status":"401","schemes":"bearer"}')
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=LoginPassword(fields.get("user", "").encode(), b""))


class _CaptureController(Controller):
    """Controller that can require AUTH on a plain (no TLS) connection without
    aiosmtpd's UserWarning: the SMTP object is built with auth_required=False
    and the flag is switched on afterwards (the warning is emitted only by
    SMTP.__init__; changing global warning filters from the server thread
    would not be thread-safe)."""

    def __init__(self, *args: Any, require_auth_without_tls: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._require_auth_without_tls = require_auth_without_tls

    def factory(self) -> SMTP:
        smtp = super().factory()
        if self._require_auth_without_tls:
            smtp._auth_required = True  # noqa: SLF001 - see class docstring
        return smtp


class SmtpCapture:
    """An aiosmtpd server on 127.0.0.1 that records every message it receives.

    Options:
      starttls=True  -- offer STARTTLS with a self-signed cert (``cafile``) and
                        require it before MAIL FROM.
      auth=(u, p)    -- require SMTP AUTH (PLAIN/LOGIN) with these credentials.
      fail_mode      -- None | "tempfail" (451 after DATA) | "permfail" (550
                        after DATA) | "drop_after_data" (message recorded, then
                        the connection is cut before the final 250 reply).
                        May be changed while the server runs.

    ``messages`` lists accepted messages (including drop_after_data ones);
    ``rejected`` lists those refused by tempfail/permfail.
    """

    def __init__(
        self,
        *,
        starttls: bool = False,
        auth: tuple[str, str] | None = None,
        fail_mode: str | None = None,
        oauth: Callable[[str], str | None] | None = None,
    ) -> None:
        if fail_mode not in FAIL_MODES:
            raise ValueError(f"fail_mode must be one of {FAIL_MODES}, not {fail_mode!r}")
        self.host = LOCALHOST
        self.port = 0
        self.starttls = starttls
        self.auth = auth
        self.oauth = oauth  # AUTH XOAUTH2 required, the token checked by this (token → user or None)
        self.fail_mode = fail_mode
        self.cafile: Path | None = None
        self._tmpdir: Path | None = None
        self._controller: Controller | None = None
        self._messages: list[CapturedMessage] = []
        self._rejected: list[CapturedMessage] = []
        self._changed = threading.Condition()

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> SmtpCapture:
        if self._controller is not None:
            raise RuntimeError("SmtpCapture already started")
        try:
            kwargs = self._smtp_kwargs()
            self.port = free_port()
            handler = _OAuthCaptureHandler(self, self.oauth) if self.oauth else _CaptureHandler(self)
            self._controller = _CaptureController(handler, hostname=self.host, port=self.port, **kwargs)
            self._controller.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop(no_assert=True)
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> SmtpCapture:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- captured data -----------------------------------------------------

    @property
    def messages(self) -> list[CapturedMessage]:
        """Snapshot of the messages received so far (thread-safe copy)."""
        with self._changed:
            return list(self._messages)

    @property
    def rejected(self) -> list[CapturedMessage]:
        """Snapshot of the messages refused by tempfail/permfail."""
        with self._changed:
            return list(self._rejected)

    def wait_for(self, n: int = 1, timeout: float = 5.0) -> list[CapturedMessage]:
        """Block until at least *n* messages arrived; raise TimeoutError otherwise."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._messages) >= n, timeout):
                raise TimeoutError(
                    f"expected {n} SMTP message(s) within {timeout}s, got {len(self._messages)}"
                )
            return list(self._messages)

    def clear(self) -> None:
        with self._changed:
            self._messages.clear()
            self._rejected.clear()

    def _record(self, message: CapturedMessage, rejected: bool = False) -> None:
        with self._changed:
            (self._rejected if rejected else self._messages).append(message)
            self._changed.notify_all()

    # -- internals -----------------------------------------------------------

    def _smtp_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if self.starttls:
            kwargs["tls_context"] = self._server_tls_context()
            kwargs["require_starttls"] = True
        if self.oauth is not None:
            kwargs["require_auth_without_tls"] = True
            kwargs["auth_require_tls"] = False
        if self.auth is not None:
            kwargs["authenticator"] = _Authenticator(*self.auth)
            kwargs["auth_require_tls"] = self.starttls
            if self.starttls:
                kwargs["auth_required"] = True
            else:
                kwargs["require_auth_without_tls"] = True
        return kwargs

    def _server_tls_context(self) -> ssl.SSLContext:
        self._tmpdir = Path(tempfile.mkdtemp(prefix="cpambot-smtp-", dir="/tmp"))
        cert, key = make_self_signed_cert(self._tmpdir)
        self.cafile = cert
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert), str(key))
        return context

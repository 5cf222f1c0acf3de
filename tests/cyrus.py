"""A throw-away Cyrus IMAP server for the test suite: the second IMAP implementation, beside
Dovecot (``servers.py``), so that cpambot's IMAP code is not shaped by one server's habits.

Plain helpers only (no pytest import):

    reason = cyrus_missing()          # None when Cyrus can run here, else why not
    with CyrusServer() as cyrus:
        user = cyrus.add_user("alice", "secret")     # INBOX, and INBOX.Sent marked \\Sent
        uid = user.append("INBOX", b"Subject: hi\\r\\n\\r\\nbody\\r\\n")

Users are :class:`CyrusUser` (an ``ImapUser`` of ``servers.py``: same helpers, so the suite's
``bot_config`` fixture works unchanged on them). The instance lives in a mkdtemp under /tmp (its
imapd.conf, cyrus.conf, config directory, partition, sockets, sasldb, TLS certificate); nothing of
the machine's own Cyrus (/etc/imapd.conf, /etc/cyrus.conf, /var/lib/cyrus, /run/cyrus) is read or
written, and its ports are free ones on 127.0.0.1 (plain with STARTTLS, and implicit TLS).

Traps met while writing this module (Debian 12, Cyrus IMAP 3.6.1):
- Debian's ``cyrus-imapd`` package conflicts with ``dovecot-imapd`` (both provide imap-server):
  installing it removes Dovecot (and pulls exim4 in through cyrus-common's MTA dependency). So
  ``scripts/test`` does not install them: it unpacks the two .deb files (``apt-get download`` +
  ``dpkg-deb -x``) under ``/opt/cpambot-cyrus`` and apt-installs only the libraries they link
  (libical3, libpcre3, libxapian30, ...) and ``sasl2-bin`` (saslpasswd2). The unpacked binaries
  find Cyrus's own libraries through ``LD_LIBRARY_PATH``. ``CPAMBOT_CYRUS_DIR`` names another
  unpacked tree; a real install (``/usr/lib/cyrus/bin``) is used when there is one.
- ``master`` reads /etc/cyrus.conf and /etc/imapd.conf and writes /run/cyrus-master.pid (Debian's
  build; the manual says /var/run/master.pid) unless told otherwise: ``-M``, ``-C`` and ``-p`` are
  always given, and every command in cyrus.conf carries ``-C`` and an absolute path (a bare name
  is looked up in the compiled-in /usr/lib/cyrus/bin).
- Defaults changed in Cyrus 3.0: ``altnamespace`` and ``unixhierarchysep`` are on unless set. They
  are set off here, the classic Cyrus layout that cpambot must cope with: personal folders under
  ``INBOX.``, hierarchy separator ``.``, so the Sent folder is ``INBOX.Sent``, not ``Sent``.
- SASL without saslauthd: ``sasl_pwcheck_method: auxprop`` with the sasldb plugin and
  ``sasl_sasldb_path`` in the instance dir (left out, the plugin reads the machine's
  /etc/sasldb2). saslpasswd2 writes the Berkeley DB as root, mode 0640: it must be chowned to the
  user Cyrus runs as or every LOGIN fails with ``NO Login failed: generic failure``. A user is
  added on a copy of the file renamed into place, so a login never reads a half-written database.
- The SASL realm: imapd gives SASL its ``servername`` as the realm, saslpasswd2 uses the
  machine's host name unless ``-u`` is given; a mismatch is ``NO Login failed: authentication
  failure`` for a right password. Users are written with ``-u <servername>``.
- ``allowplaintext`` defaults to off (LOGIN refused without TLS): set on, with
  ``sasl_mech_list: PLAIN LOGIN``. ``failedloginpause`` (3 s by default) is set to 0.
- A user's mailboxes do not exist until created: an admin (``admins:``, its own sasldb entry)
  creates ``user.<name>``; the user then creates ``INBOX.Sent`` with ``CREATE ... (USE (\\Sent))``
  (RFC 6154 CREATE-SPECIAL-USE). ``specialusealways`` (default on) makes LIST show ``\\Sent``.
- User names: with the ``.`` separator a dot in a user name is a hierarchy step, and ``@`` needs
  ``virtdomains``; test users are plain ``user-<hex>`` names (``add_user`` refuses others).
- IDLE: imapd binds its own socket for idled's signals as ``{configdirectory}/socket/idle.<pid>``,
  whatever ``idlesocket`` says; when that directory is missing the bind fails (seen only as
  ``bind: No such file or directory`` on master's stderr) and imapd silently falls back to
  polling every ``imapidlepoll`` seconds, 60 by default: an appended message was announced a
  minute later. So every socket, lock and proc path keeps its default under the config directory,
  ``config/socket`` is created, and idled runs in the DAEMON section: a new message is announced
  within ~50 ms.
- Cyrus logs only to syslog, and a test machine has no syslog daemon: its errors are seen only in
  the IMAP replies (``NO ...``). master's own stderr (config errors) is kept in ``log/master.log``
  (``-D`` keeps it open).
- Root: master started as root drops to ``cyrus_user`` (no ``cyrus`` account needed: ``nobody``
  here, the user Dovecot's mail processes use too), and that change of credentials clears the
  parent-death signal, so a SIGKILLed pytest would leave it running. It is therefore started
  directly as nobody/nogroup (high ports need no root), parent-death signal set after the switch,
  and the instance dir is chowned to nobody. Run as another user, it runs as that user.
- 8-bit bytes in a header are rewritten as ``X`` on APPEND (``munge8bit``, on by default):
  ``Subject: café`` in UTF-8 is stored as ``Subject: cafXX``; Dovecot keeps the bytes. Bare LF
  line ends are accepted and stored as CRLF.
- imapclient's ``multiappend`` puts two spaces between the messages of one MULTIAPPEND; Dovecot
  lets it pass, Cyrus answers ``BAD Missing required argument to Append command``. The user's
  ``multiappend`` appends one message at a time on one connection (cpambot itself never
  MULTIAPPENDs).
- Readiness is the ``* OK`` greeting carrying this instance's own ``servername``, so a foreign
  server that took the port between ``free_port()`` and master's bind is never mistaken for ours
  (master does not exit when a bind fails: it logs and serves nothing; the start is retried).
- A folder marked ``\\Sent`` (or ``\\Trash``, ``\\Drafts``, ...) cannot be deleted:
  ``NO SPECIAL-USE flag conflict`` (``specialuse_protect``); a user with another Sent folder is
  made with ``add_user(..., sent_folder="INBOX.Envoyés")``, not by deleting INBOX.Sent.
- Deleting a folder is delayed by default (``delete_mode: delayed``: it is renamed under
  ``DELETED.``); a folder created again under the same name gets a new UIDVALIDITY.
"""

from __future__ import annotations

import atexit
import getpass
import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient
from servers import (
    LOCALHOST,
    MAIL_GID,
    MAIL_UID,
    ImapUser,
    MasterProcessServer,
    _close_quietly,
    _gid_of,
    _parse_appenduid,
    _read_greeting,
    _set_parent_death_signal,
    _terminate_process_group,
    _uid_of,
    free_port,
    make_self_signed_cert,
    make_world_readable_tmpdir,
)

CYRUS_DIR_ENV = "CPAMBOT_CYRUS_DIR"
UNPACKED_DIR = Path("/opt/cpambot-cyrus")  # where scripts/test unpacks Debian's two packages
SYSTEM_DIR = Path("/")  # a real install of cyrus-imapd
BIN_SUBDIR = "usr/lib/cyrus/bin"
ADMIN = "cpambotadmin"
_USERNAME_RE = re.compile(r"^[a-z0-9_-]{1,64}$")


# --------------------------------------------------------------------------
# Where Cyrus is
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CyrusInstall:
    """The Cyrus binaries to run: ``bin_dir`` holds master, imapd, ctl_cyrusdb; ``lib_dir`` is
    Cyrus's own shared libraries when they are not where the dynamic loader looks."""

    bin_dir: Path
    lib_dir: Path | None
    saslpasswd2: str


def find_cyrus() -> CyrusInstall | None:
    """The unpacked tree (``$CPAMBOT_CYRUS_DIR``, else /opt/cpambot-cyrus), else a real install."""
    saslpasswd2 = shutil.which("saslpasswd2", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    if saslpasswd2 is None:
        return None
    roots = [Path(os.environ[CYRUS_DIR_ENV])] if os.environ.get(CYRUS_DIR_ENV) else []
    for root in [*roots, UNPACKED_DIR, SYSTEM_DIR]:
        bin_dir = root / BIN_SUBDIR
        if all(os.access(bin_dir / name, os.X_OK) for name in ("master", "imapd", "ctl_cyrusdb")):
            libs = sorted((root / "usr/lib").glob("*/libcyrus_min.so.0"))  # (usr/lib/<multiarch>)
            lib_dir = libs[0].parent if libs and root != SYSTEM_DIR else None
            return CyrusInstall(bin_dir, lib_dir, saslpasswd2)
    return None


def cyrus_missing() -> str | None:
    """None when a Cyrus IMAP server can be started here, else why not (a skip reason)."""
    if find_cyrus() is not None:
        return None
    return ("Cyrus IMAP is not installed: no master/imapd/ctl_cyrusdb in "
            f"${CYRUS_DIR_ENV}, {UNPACKED_DIR / BIN_SUBDIR} or /{BIN_SUBDIR}, or no saslpasswd2 "
            "(package sasl2-bin); ./scripts/test unpacks Debian's cyrus-common and cyrus-imapd there")


# --------------------------------------------------------------------------
# A Cyrus user
# --------------------------------------------------------------------------


@dataclass
class CyrusUser(ImapUser):
    """A Cyrus user: ``ImapUser``'s helpers, plus special-use folders and its folder list."""

    def create_special_folder(self, folder: str, use: str = "\\Sent") -> None:
        """CREATE *folder* with the SPECIAL-USE attribute *use* (RFC 6154 CREATE-SPECIAL-USE)."""
        with self.client() as imap:
            create_special_folder(imap, folder, use)

    def multiappend(self, folder: str, messages: Iterable[bytes]) -> list[int]:
        """APPEND *messages* one by one on one connection (see the module's traps); their UIDs."""
        uids: list[int] = []
        with self.client() as imap:
            for raw in messages:
                uids.extend(_parse_appenduid(imap.append(folder, raw)))
        return uids

    def folder_names(self) -> dict[str, tuple[bytes, ...]]:
        """Every folder the user sees, with its LIST attributes."""
        with self.client() as imap:
            return {name: tuple(flags) for flags, _sep, name in imap.list_folders()}


def create_special_folder(imap: IMAPClient, folder: str, use: str) -> None:
    encoded = imap._normalise_folder(folder)  # noqa: SLF001 - quoted, modified UTF-7
    typ, data = imap._imap.xatom("CREATE", encoded, f"(USE ({use}))")  # noqa: SLF001
    if typ != "OK":
        raise RuntimeError(f"CREATE {folder} (USE ({use})) refused: {data!r}")


# --------------------------------------------------------------------------
# Cyrus
# --------------------------------------------------------------------------

_IMAPD_CONF = """\
# Generated by tests/cyrus.py -- throw-away test instance.
servername: {servername}
configdirectory: {root}/config
defaultpartition: default
partition-default: {root}/spool
cyrus_user: {user}
cyrus_group: {group}
altnamespace: no
unixhierarchysep: no
virtdomains: off
admins: {admin}
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: {root}/sasldb2
sasl_mech_list: PLAIN LOGIN
failedloginpause: 0
tls_server_cert: {root}/ssl/cert.pem
tls_server_key: {root}/ssl/cert.key
syslog_prefix: {servername}
"""

_CYRUS_CONF = """\
# Generated by tests/cyrus.py -- throw-away test instance.
START {{
  recover cmd="{bin}/ctl_cyrusdb -C {conf} -r"
}}
SERVICES {{
  imap cmd="{bin}/imapd -C {conf}" listen="{host}:{port}" prefork=0 maxchild=100
  imaps cmd="{bin}/imapd -s -C {conf}" listen="{host}:{tls_port}" prefork=0 maxchild=100
}}
EVENTS {{
  checkpoint cmd="{bin}/ctl_cyrusdb -C {conf} -c" period=30
}}
DAEMON {{
  idled cmd="{bin}/idled -C {conf}"
}}
"""


class CyrusServer(MasterProcessServer):
    """A private Cyrus IMAP instance on 127.0.0.1 (plain/STARTTLS + IMAPS).

    Attributes once started: host, port, tls_port, cafile, root, start_seconds.
    """

    START_TIMEOUT = 10.0
    STOP_TIMEOUT = 10.0
    START_ATTEMPTS = 3  # free_port() can race with another process

    def __init__(self) -> None:
        self.host = LOCALHOST
        self.port = 0
        self.tls_port = 0
        self.root: Path | None = None
        self.cafile: Path | None = None
        self.start_seconds = 0.0
        self.servername = f"cpambot-cyrus-{secrets.token_hex(4)}"
        self._admin_password = secrets.token_urlsafe(16)
        self._install: CyrusInstall | None = None
        self._process: subprocess.Popen[bytes] | None = None

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> CyrusServer:
        if self._process is not None:
            raise RuntimeError("CyrusServer already started")
        install = find_cyrus()
        if install is None:
            raise RuntimeError(cyrus_missing())
        self._install = install
        started = time.monotonic()
        self.root = make_world_readable_tmpdir("cpambot-cyrus-")
        try:
            self._prepare_files()
            self._start_with_retries()
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - started
        atexit.register(self.stop)  # safety net if the caller forgets stop()
        return self

    # -- users ---------------------------------------------------------------

    def add_user(self, name: str, password: str, sent_folder: str | None = "INBOX.Sent") -> CyrusUser:
        """Create user *name* with *password*, its INBOX (``user.<name>``) and, unless None, a
        *sent_folder* marked ``\\Sent``. Usable at once, while Cyrus runs."""
        if not _USERNAME_RE.match(name):
            raise ValueError(f"unsupported Cyrus test username (a-z0-9_- only): {name!r}")
        self._set_password(name, password)
        with self._client(ADMIN, self._admin_password) as admin:
            admin.create_folder(f"user.{name}")
        user = CyrusUser(host=self.host, port=self.port, tls_port=self.tls_port,
                         cafile=self._require(self.cafile), username=name, password=password)
        if sent_folder is not None:
            user.create_special_folder(sent_folder, "\\Sent")
        return user

    def log_text(self) -> str:
        """master's stderr (Cyrus itself logs to syslog only)."""
        path = self.root / "log" / "master.log" if self.root else None
        return path.read_text(encoding="utf-8", errors="replace") if path and path.exists() else ""

    # -- internals -----------------------------------------------------------

    @staticmethod
    def _require(value: Path | None) -> Path:
        if value is None:
            raise RuntimeError("CyrusServer is not started")
        return value

    def _client(self, username: str, password: str) -> IMAPClient:
        imap = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        try:
            imap.login(username, password)
        except BaseException:
            _close_quietly(imap)
            raise
        return imap

    def _run_as(self) -> tuple[str, str]:
        """The user and group Cyrus runs as: nobody/nogroup under root, else ourselves."""
        if os.geteuid() == 0:
            return MAIL_UID, MAIL_GID
        import grp

        return getpass.getuser(), grp.getgrgid(os.getegid()).gr_name

    def _chown(self, path: Path) -> None:
        if os.geteuid() == 0:
            os.chown(path, _uid_of(MAIL_UID), _gid_of(MAIL_GID))

    def _prepare_files(self) -> None:
        root = self._require(self.root)
        for sub in ("config", "config/socket", "spool", "run", "ssl", "log"):
            (root / sub).mkdir(mode=0o755)
        self.cafile, _ = make_self_signed_cert(root / "ssl")
        user, group = self._run_as()
        (root / "imapd.conf").write_text(_IMAPD_CONF.format(
            servername=self.servername, root=root, user=user, group=group, admin=ADMIN),
            encoding="utf-8")
        self._set_password(ADMIN, self._admin_password)
        for path in [root, *root.rglob("*")]:
            self._chown(path)

    def _set_password(self, name: str, password: str) -> None:
        """Write *name*'s password into the sasldb: on a copy, renamed into place."""
        root = self._require(self.root)
        install = self._install
        assert install is not None
        sasldb, tmp = root / "sasldb2", root / f".sasldb2.{secrets.token_hex(4)}"
        if sasldb.exists():
            shutil.copy2(sasldb, tmp)
        try:
            subprocess.run([install.saslpasswd2, "-p", "-c", "-f", str(tmp),
                            "-u", self.servername, name],
                           input=password.encode("utf-8"), check=True, capture_output=True)
            self._chown(tmp)
            tmp.chmod(0o640)
            tmp.rename(sasldb)
        finally:
            tmp.unlink(missing_ok=True)

    def _start_with_retries(self) -> None:
        last_error: Exception | None = None
        for _ in range(self.START_ATTEMPTS):
            self.port, self.tls_port = free_port(), free_port()
            try:
                self._spawn()
                self._wait_for_greeting()
                return
            except RuntimeError as exc:  # e.g. a port taken between probe and bind
                last_error = exc
                if self._process is not None:
                    _terminate_process_group(self._process, self.STOP_TIMEOUT)
                    self._process = None
        raise RuntimeError(f"Cyrus did not start: {last_error}")

    def _spawn(self) -> None:
        root = self._require(self.root)
        install = self._install
        assert install is not None
        conf, cyrus_conf = root / "imapd.conf", root / "cyrus.conf"
        cyrus_conf.write_text(_CYRUS_CONF.format(
            bin=install.bin_dir, conf=conf, host=self.host, port=self.port, tls_port=self.tls_port),
            encoding="utf-8")
        self._chown(cyrus_conf)
        env = {**os.environ}
        if install.lib_dir is not None:
            env["LD_LIBRARY_PATH"] = ":".join(filter(None, [str(install.lib_dir),
                                                            env.get("LD_LIBRARY_PATH")]))
        user = group = None
        if os.geteuid() == 0:
            user, group = MAIL_UID, MAIL_GID
        command = [str(install.bin_dir / "master"), "-D", "-C", str(conf), "-M", str(cyrus_conf),
                   "-p", str(root / "run" / "master.pid")]
        log = open(root / "log" / "master.log", "ab")  # noqa: SIM115
        with log:
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, cwd=root,
                user=user, group=group, extra_groups=[] if user else None,
                start_new_session=True,  # own process group, see stop()
                preexec_fn=_set_parent_death_signal,  # (runs after the switch to nobody)
            )

    def _wait_for_greeting(self) -> None:
        deadline = time.monotonic() + self.START_TIMEOUT
        ours = self.servername.encode()
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"cyrus master exited with code {self._process.returncode}:\n{self.log_text()}")
            greeting = _read_greeting(self.host, self.port)
            if greeting.startswith(b"* OK") and ours in greeting:
                return
            time.sleep(0.02)
        raise RuntimeError(f"no IMAP greeting within {self.START_TIMEOUT}s:\n{self.log_text()}")


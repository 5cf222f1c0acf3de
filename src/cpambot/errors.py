"""Every exception cpambot raises: one hierarchy under :class:`CpambotError`, in this module only.

Every message carried by these exceptions is meant for the user and is therefore written in
French, except :class:`InvalidValueError` (a bug of cpambot's own, for its developers). The CLI
maps each class to an exit code: usage and configuration problems exit with 2, runtime
failures with 1.

::

    CpambotError
    ├── ConfigError, UsageError, SecretError          (exit 2)
    ├── MailboxError ── AuthenticationError           reaching and reading a mailbox
    ├── StoreError ── StoreLockedError                the data directory
    ├── UnreadableMessage                             a message with no header at all
    ├── DecodeError ── TruncatedFile, UnreadableContent, NotThisFormat   NOEMIE / ARL payloads
    ├── LetterTemplateError                           a template that cannot give a letter
    ├── SendError ── SendTemporaryError ── SendSessionError
    │            ├── SendRejectedError, SendUncertainError
    │            └── OutboxStateError                 an e-mail of the outbox
    └── InvalidValueError (also a ValueError)         a value cpambot built itself is invalid
"""

from __future__ import annotations


class CpambotError(Exception):
    """Base class of every error the bot reports to the user."""

    exit_code = 1


class ConfigError(CpambotError):
    """The configuration file is missing, unreadable or invalid.

    ``key`` is the dotted key at fault (``comptes[0].port``) and ``line`` the
    1-based line of the file where it stands, when known.
    """

    exit_code = 2

    def __init__(self, message: str, *, key: str | None = None, line: int | None = None,
                 path: str | None = None) -> None:
        self.key = key
        self.line = line
        self.path = path
        self.detail = message
        where = []
        if path:
            where.append(str(path))
        if line:
            where.append(f"ligne {line}")
        prefix = ", ".join(where)
        head = f"{prefix} : " if prefix else ""
        keypart = f"clé « {key} » : " if key else ""
        super().__init__(f"{head}{keypart}{message}")


class UsageError(CpambotError):
    """The command line is wrong."""

    exit_code = 2


class MailboxError(CpambotError):
    """A mailbox cannot be reached or read (network, TLS, IMAP protocol)."""


class AuthenticationError(MailboxError):
    """The server refused the credentials."""


class SecretError(CpambotError):
    """A password cannot be obtained from its environment variable or file."""

    exit_code = 2


class StatementError(CpambotError):
    """A bank statement (OFX, CSV) cannot be read: the French message says what was found instead."""

    exit_code = 2


class OcrError(CpambotError):
    """A photo or a scan cannot be read (French message: what to do)."""


class StoreError(CpambotError):
    """The data store cannot be read or written (disk full, permissions, corruption)."""


class StoreLockedError(StoreError):
    """Another cpambot process holds the store."""


class DamagedFileError(StoreError):
    """A file of the store cannot be read (cut short, bytes that are not UTF-8, not a TinyDB file)."""


class UnreadableMessage(CpambotError):
    """The message has no header at all: there is nothing to interpret (recorded as failed)."""


class DecodeError(CpambotError):
    """A machine file (NOEMIE, ARL, a spreadsheet attached to a message) cannot be decoded at all.

    ``reason`` is a French sentence for the user (it never holds a NIR nor a name).
    Record-level oddities are *not* errors: they go to the decoded file's ``problems``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TruncatedFile(DecodeError):
    """The file stops before its ``999`` trailer, or in the middle of an entity."""


class UnreadableContent(DecodeError):
    """Binary garbage, broken compression or broken base64."""


class NotThisFormat(DecodeError):
    """Readable text, but not the expected file (no ``000`` header, no ARL entity…)."""


class LetterTemplateError(CpambotError):
    """A template cannot give a letter: no ``Objet :`` line, a variable missing from the context,
    a value a filter cannot format. The message is French (shown to the professional)."""


class SendError(CpambotError):
    """An e-mail of the outbox could not be sent (French message for the user)."""

    def __init__(self, message: str, *, reply: str | None = None) -> None:
        super().__init__(message)
        self.reply = reply


class SendTemporaryError(SendError):
    """Nothing was accepted and trying again later may work: 4xx reply, network failure before DATA."""


class SendSessionError(SendTemporaryError):
    """The SMTP session could not be set up (connection, TLS, login): no message can go this run."""


class SendRejectedError(SendError):
    """The server refused the message for good (5xx reply): it is never retried."""


class SendUncertainError(SendError):
    """The exchange broke after DATA started with no final reply: the message may have been accepted."""


class OutboxStateError(SendError):
    """The requested change does not apply to the e-mail in its present state."""


class InvalidValueError(CpambotError, ValueError):
    """A value that cpambot's own code built is invalid (an unknown state, a malformed Message-ID
    given to the MIME builder…): a bug to report, never the user's input, which gets one of the
    French errors above. Also a ``ValueError``, as Python code expects."""

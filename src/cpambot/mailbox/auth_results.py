"""Authentication-Results headers (RFC 8601): parsed, comments removed, every occurrence kept."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class AuthResult:
    """One Authentication-Results header (RFC 8601), comments removed."""

    authserv_id: str
    results: tuple[tuple[str, str, dict[str, str]], ...]  # (method, result, properties)

    def verdicts(self, method: str) -> list[str]:
        return [result for m, result, _ in self.results if m == method]


def _strip_comments(value: str) -> str:
    """Remove RFC 5322 comments ``( … )`` (nested, with escapes), outside quoted strings."""
    out: list[str] = []
    depth = 0
    quoted = escaped = False
    for char in value:
        if escaped:
            escaped = False
            if not depth:
                out.append(char)
            continue
        if char == "\\":
            escaped = True
            if not depth:
                out.append(char)
            continue
        if quoted:
            out.append(char)
            if char == '"':
                quoted = False
            continue
        if char == "(":
            depth += 1
            continue
        if char == ")" and depth:
            depth -= 1
            if not depth:
                out.append(" ")
            continue
        if depth:
            continue
        if char == '"':
            quoted = True
        out.append(char)
    return "".join(out)


def _split_semicolons(value: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in value:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


_RESINFO = re.compile(r"^\s*([A-Za-z0-9_.-]+)(?:\s*/\s*\d+)?\s*=\s*([A-Za-z]+)(.*)$", re.S)


_PROPERTY = re.compile(r"([A-Za-z0-9_.-]+)\s*=\s*(\"[^\"]*\"|[^\s;]+)")


def parse_auth_results(value: str) -> AuthResult | None:
    """Parse one Authentication-Results value; None when it has no authserv-id
    (e.g. an ARC-Authentication-Results value, which starts with ``i=1;``)."""
    parts = _split_semicolons(_strip_comments(" ".join((value or "").split())))
    head = parts[0].split()
    if not head or "=" in head[0]:
        return None
    authserv_id = head[0].strip('"').lower()
    results = []
    for part in parts[1:]:
        found = _RESINFO.match(part)
        if not found:
            continue
        props = {k.lower(): v.strip('"') for k, v in _PROPERTY.findall(found.group(3))}
        results.append((found.group(1).lower(), found.group(2).lower(), props))
    return AuthResult(authserv_id, tuple(results))


def authentication_results(header_bytes: bytes) -> list[str]:
    """Every Authentication-Results value of a header block, unfolded, in order.

    ``HeaderSummary.fields`` keeps only the first occurrence of a field; the checks need
    all of them (the provider's own may not be the first)."""
    text = header_bytes.decode("utf-8", "replace").replace("\r\n", "\n")
    values: list[str] = []
    current: list[str] | None = None
    for line in text.split("\n"):
        if not line:
            if values or current is not None:
                break
            continue
        if not line.strip():
            continue  # spaces alone: a folded empty line
        if line[0] in " \t":
            if current is not None:
                current.append(line.strip())
            continue
        if current is not None:
            values.append(" ".join(current))
            current = None
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() == "authentication-results":
            current = [value.strip()]
    if current is not None:
        values.append(" ".join(current))
    return values

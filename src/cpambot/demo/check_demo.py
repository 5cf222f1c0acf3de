"""Self-check of the demo Maildir: ``python -m cpambot.demo.check_demo``.

Checks, for every message in ``cpambot/demo/maildir/cur``:

* ``mailparser.parse_from_bytes`` parses it and finds a From and a Subject;
* each ``application/EDI-consent`` part round-trips: base64 → gunzip when the
  gzip magic is present → text starting with ``000``; its entities frame
  exactly (each one ends with ``@`` at the width of the shared layout, unknown types
  are skipped to the next ``@``), each ``990`` matches the money of its block
  and the ``999`` matches the file (lot count, total, record count);
* each PDF attachment opens with pypdf and has extractable text (the indu
  notification must show its amount, the 2-month delay and the CRA address).

Then it rebuilds the corpus twice in temporary folders and compares the
SHA-256 of every file with the committed Maildir (byte-identical output).
Prints one line per check and a closing ``N passed, N failed`` line; exits 1
on any failure.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import logging
import sys
import tempfile
from collections.abc import Callable
from email import policy
from email.parser import BytesParser
from pathlib import Path

import mailparser
import pypdf

from cpambot.demo import generate
from cpambot.demo.messages.indu import INDU_REF
from cpambot.demo.noemie_writer import GZIP_MAGIC, entity_width, field_value, signed_value
from cpambot.errors import InvalidValueError
from cpambot.understanding.decode.layout import FIXED_128, WRITABLE

MAILDIR = generate.MAILDIR


class Report:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, name: str, fn: Callable[[], str | None]) -> None:
        try:
            detail = fn()
        except Exception as exc:  # noqa: BLE001 - a self-check reports every failure
            self.failed += 1
            print(f"FAIL {name}: {type(exc).__name__}: {exc}")
        else:
            self.passed += 1
            print(f"ok   {name}" + (f" ({detail})" if detail else ""))


def decode_entities(text: str) -> list[str]:
    """Split a NOEMIE/ARL text into entities; raise on a framing error."""
    out = []
    i = 0
    while i < len(text):
        while i < len(text) and text[i] in "\r\n":
            i += 1
        if i >= len(text):
            break
        etype = text[i:i + 3]
        if etype not in WRITABLE:
            end = text.find("@", i)
            if end < 0:
                raise InvalidValueError(f"unknown entity {etype!r} without '@' at {i}")
            out.append(text[i:end + 1])
            i = end + 1
            continue
        width = entity_width(etype)
        ent = text[i:i + width]
        if len(ent) != width:
            raise InvalidValueError(f"truncated {etype} at {i}")
        if etype not in FIXED_128 and ent[-1] != "@":
            raise InvalidValueError(f"{etype} at {i} does not end with '@'")
        out.append(ent)
        i += width
        if etype == "999":
            if text[i:].strip("\r\n"):
                raise InvalidValueError("data after 999")
            break
    return out


_MONEY = {"198": ("paid", "paid_sign"), "199": ("paid", "paid_sign"),
          "250": ("amount", "sign"), "261": ("amount", None)}


def check_noemie(text: str) -> str:
    """Framing and control totals of a decoded payload; returns a summary."""
    if not text.startswith("000"):
        raise InvalidValueError(f"payload starts with {text[:3]!r}, not 000")
    ents = decode_entities(text)
    if ents[-1][:3] != "999":
        raise InvalidValueError("no 999 trailer")
    money = invoices = movements = 0
    in_block = False
    block_sums = []
    lots = 0
    for ent in ents[1:-1]:
        etype = ent[:3]
        if etype in ("080", "081") and not in_block:
            in_block, money, invoices, movements = True, 0, 0, 0
            lots += etype == "080"
        elif etype in ("100", "102"):
            invoices += 1
        elif etype in _MONEY:
            money += signed_value(ent, *_MONEY[etype])
            movements += etype in ("250", "261")
        elif etype == "990":
            count = int(field_value(ent, "count"))
            total = signed_value(ent, "total", "sign")
            if (count, total) != (invoices or movements, money):
                raise InvalidValueError(f"990 says {count}/{total}, block has "
                                 f"{invoices or movements}/{money}")
            block_sums.append(total)
            in_block = False
    trailer = ents[-1]
    if int(field_value(trailer, "lot_count")) != max(lots, 1 if "ARL" in {e[:3] for e in ents} else 0):
        raise InvalidValueError("999 lot count mismatch")
    if signed_value(trailer, "file_total", "file_total_sign") != sum(block_sums):
        raise InvalidValueError("999 file total mismatch")
    if int(field_value(trailer, "record_count")) != len(ents):
        raise InvalidValueError("999 record count mismatch")
    if field_value(ents[0], "flow_type") != field_value(trailer, "flow_type"):
        raise InvalidValueError("flow type differs between 000 and 999")
    kinds = "".join(sorted({e[:3] for e in ents}))
    return (f"{len(ents)} entities, flux {field_value(ents[0], 'flow_type')!r}, "
            f"total {sum(block_sums)} c, types {len(kinds) // 3}")


def edi_parts(raw: bytes) -> list[tuple[str, bytes]]:
    msg = BytesParser(policy=policy.compat32).parsebytes(raw)
    out = []
    for part in msg.walk():
        if part.get_content_type().lower() == "application/edi-consent":
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            out.append((str(part.get("Content-Description", "")), data))
    return out


def pdf_parts(raw: bytes) -> list[tuple[str, bytes]]:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    return [(part.get_filename() or "", bytes(part.get_payload(decode=True)))
            for part in msg.walk() if part.get_content_type() == "application/pdf"]


def check_message(report: Report, path: Path) -> None:
    raw = path.read_bytes()
    name = path.name

    def parse() -> str:
        mail = mailparser.parse_from_bytes(raw)
        if not mail.from_ or not mail.subject:
            raise InvalidValueError("mailparser found no From or no Subject")
        stdlib = str(BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
                     ["Subject"])
        note = "" if mail.subject == stdlib else f"; note: mailparser reads {mail.subject!r}"
        return f"{stdlib[:60]}{note}"
    report.check(f"{name} parses", parse)

    for nature, data in edi_parts(raw):
        def edi(nature: str = nature, data: bytes = data) -> str:
            gz = data[:2] == GZIP_MAGIC
            if gz != nature.endswith("/Z"):
                raise InvalidValueError(f"Content-Description {nature!r} but gzip={gz}")
            text = (gzip.decompress(data) if gz else data).decode("ascii")
            return f"{nature}: " + check_noemie(text)
        report.check(f"{name} EDI payload", edi)

    for filename, data in pdf_parts(raw):
        def pdf(filename: str = filename, data: bytes = data) -> str:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
            text = "\n".join(page.extract_text() for page in reader.pages)
            if len(text) < 200:
                raise InvalidValueError("PDF text layer too short")
            if filename.startswith("Notification_indu"):
                for needle in ("3 412,60 €", "deux (2) mois", "deux mois", "Commission de recours amiable",
                               INDU_REF, "14 avril 2026", "CGSS DE LA RÉUNION",
                               "Cause de l'indu"):
                    if needle not in text:
                        raise InvalidValueError(f"{needle!r} not found in the PDF text")
            return f"{filename}: {len(reader.pages)} page(s), {len(text)} characters"
        report.check(f"{name} PDF text", pdf)


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def check_determinism(report: Report) -> None:
    def rebuild() -> str:
        with tempfile.TemporaryDirectory() as tmp:
            runs = []
            for n in (1, 2):
                target = Path(tmp) / f"run{n}"
                generate.write_maildir(target, Path(tmp) / f"MANIFEST{n}.md")
                runs.append(_digests(target))
            m1 = (Path(tmp) / "MANIFEST1.md").read_bytes()
            m2 = (Path(tmp) / "MANIFEST2.md").read_bytes()
            if runs[0] != runs[1] or m1 != m2:
                raise InvalidValueError("two runs differ")
            committed = _digests(MAILDIR)
            if committed != runs[0]:
                diff = sorted(set(committed.items()) ^ set(runs[0].items()))[:3]
                raise InvalidValueError(f"cpambot/demo/maildir is stale, rerun the generator: {diff}")
            if generate.MANIFEST.read_bytes() != m1:
                raise InvalidValueError("MANIFEST.md is stale, rerun the generator")
        return f"{len(runs[0])} files identical over two runs and with the committed Maildir"
    report.check("generator is deterministic", rebuild)


def main() -> int:
    # mailparser logs a warning for every application/EDI-consent part it puts
    # in text_not_managed; that is expected here.
    logging.getLogger("mailparser").setLevel(logging.ERROR)
    report = Report()
    files = sorted((MAILDIR / "cur").iterdir())
    report.check("maildir layout", lambda: (
        f"{len(files)} messages" if all((MAILDIR / d).is_dir() for d in ("cur", "new", "tmp"))
        and (MAILDIR / "new" / ".keep").exists() and (MAILDIR / "tmp" / ".keep").exists()
        and 25 <= len(files) <= 40 else (_ for _ in ()).throw(ValueError("bad layout"))))
    for path in files:
        check_message(report, path)
    check_determinism(report)
    print(f"{report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())

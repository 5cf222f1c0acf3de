"""Rendering of the letters (and other texts) from the Jinja2 templates.

Pure: a context in, a text out. The templates are package data (``cpambot/letters/templates``
for the letters; each stage that writes e-mails keeps its own, see :func:`package_environment`),
read through the package's loader like code, so an installed wheel finds them wherever it lives.

A letter template starts with the line ``Objet : <subject>``, then a blank line, then the
body (French, text/plain). :func:`render` returns ``(subject, body)``.

The environment is strict: a variable missing from the context is an error
(:class:`jinja2.StrictUndefined`), never an empty string in a letter sent to a caisse.
Autoescaping is on for ``.html`` templates only (the digest's HTML part); letters are plain text.

Filters: ``date_fr`` (``03/03/2026``), ``euros`` (``1 234,56 €``), ``masked_nir``
(``***********1234``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from cpambot.errors import LetterTemplateError

TEMPLATES = "templates"  # the folder, inside a stage's package, that holds its templates

# What a template writes where the professional must complete the letter before approving it.
# The approval flow can refuse to send a text that still contains it (see :func:`placeholders`).
PLACEHOLDER = "[À COMPLÉTER"
_PLACEHOLDER_RE = re.compile(r"\[À COMPLÉTER[^\]]*\]")
_SUBJECT_RE = re.compile(r"^Objet\s*:\s*(\S.*?)\s*$")
_NBSP_THIN = "\u202f"  # thousands separator, as in cpambot.understanding.decode._framing.euros


# --------------------------------------------------------------------------- filters


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise LetterTemplateError(f"date attendue, pas {value!r}")


def date_fr(value: Any) -> str:
    """``date(2026, 3, 2)`` or ``"2026-03-02"`` → ``02/03/2026``."""
    return _as_date(value).strftime("%d/%m/%Y")


MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")


def date_long(value: Any) -> str:
    """``date(2026, 3, 1)`` → ``1er mars 2026``, as a letter is dated."""
    day = _as_date(value)
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def euros(value: Any) -> str:
    """``Decimal("1234.5")`` or ``"1234.50"`` → ``1 234,50 €`` (narrow no-break space between
    thousands, as everywhere else in cpambot)."""
    if isinstance(value, bool) or value is None:
        raise LetterTemplateError(f"montant attendu, pas {value!r}")
    try:
        amount = Decimal(str(value).strip().replace(",", ".")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise LetterTemplateError(f"montant attendu, pas {value!r}") from None
    return f"{amount:,.2f} €".replace(",", _NBSP_THIN).replace(".", ",")


def masked_nir(value: Any) -> str:
    """A NIR (13 digits + key) shown with its last 4 characters only: ``***********1234``."""
    text = re.sub(r"\s", "", str(value or ""))
    if len(text) < 4:
        raise LetterTemplateError("NIR illisible : impossible de le masquer")
    return "*" * 11 + text[-4:]


FILTERS = {"date_fr": date_fr, "euros": euros, "masked_nir": masked_nir}


# --------------------------------------------------------------------------- environment


def make_environment(loader: jinja2.BaseLoader | Iterable[Path | str]) -> jinja2.Environment:
    """A strict environment on ``loader`` (or on template directories: tests, user templates)."""
    if not isinstance(loader, jinja2.BaseLoader):
        loader = jinja2.FileSystemLoader([str(d) for d in loader], encoding="utf-8")
    env = jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "html.j2", "htm.j2"),
                                            disabled_extensions=(), default_for_string=False,
                                            default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


@lru_cache(maxsize=8)
def package_environment(package: str) -> jinja2.Environment:
    """The shared environment on the templates of ``package`` (``cpambot.approval``…)."""
    return make_environment(jinja2.PackageLoader(package, TEMPLATES, encoding="utf-8"))


def environment() -> jinja2.Environment:
    """The shared environment on the letter templates."""
    return package_environment(__package__ or "cpambot.letters")


def _french(exc: jinja2.TemplateError | LetterTemplateError, where: str) -> LetterTemplateError:
    if isinstance(exc, LetterTemplateError):
        return LetterTemplateError(f"{where} : {exc}")
    if isinstance(exc, jinja2.TemplateNotFound):
        return LetterTemplateError(f"{where} : modèle introuvable")
    if isinstance(exc, jinja2.UndefinedError):
        return LetterTemplateError(f"{where} : variable inconnue dans le modèle ({exc.message})")
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return LetterTemplateError(f"{where} : erreur de syntaxe ligne {exc.lineno} ({exc.message})")
    return LetterTemplateError(f"{where} : {exc}")


def render_text(template_name: str, context: Mapping[str, Any], *,
                env: jinja2.Environment | None = None) -> str:
    """The whole text of ``template_name`` (no subject parsing: the digest, for instance)."""
    env = env or environment()
    try:
        return env.get_template(template_name).render(**context)
    except (jinja2.TemplateError, LetterTemplateError) as exc:
        raise _french(exc, f"modèle « {template_name} »") from exc


def split_subject(text: str, template_name: str = "<texte>") -> tuple[str, str]:
    """``Objet : …`` first line → (subject, body); the body keeps no leading blank line, no
    trailing spaces, at most one blank line in a row, and ends with one newline."""
    first, _, rest = text.lstrip("\ufeff").partition("\n")
    found = _SUBJECT_RE.match(first)
    if not found:
        raise LetterTemplateError(f"modèle « {template_name} » : la première ligne doit être "
                                  "« Objet : <objet du courrier> »")
    lines = [line.rstrip() for line in rest.splitlines()]
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    if not body:
        raise LetterTemplateError(f"modèle « {template_name} » : le courrier est vide")
    return found.group(1), body + "\n"


def render(template_name: str, context: Mapping[str, Any], *,
           env: jinja2.Environment | None = None) -> tuple[str, str]:
    """Render a letter template: ``(subject, body)``. Raises :class:`LetterTemplateError`."""
    return split_subject(render_text(template_name, context, env=env), template_name)


def render_string(source: str, context: Mapping[str, Any], *,
                  env: jinja2.Environment | None = None) -> tuple[str, str]:
    """Render a letter given as a string (tests, a letter template edited by the user)."""
    env = env or environment()
    try:
        text = env.from_string(source).render(**context)
    except (jinja2.TemplateError, LetterTemplateError) as exc:
        raise _french(exc, "modèle") from exc
    return split_subject(text)


def placeholders(text: str) -> list[str]:
    """The ``[À COMPLÉTER : …]`` marks still in a letter (the professional must fill them)."""
    return _PLACEHOLDER_RE.findall(text)

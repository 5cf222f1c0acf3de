"""A TOML document read with its keys' positions: typed values, French errors naming key and line."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cpambot.config.model import (
    Secret,
)
from cpambot.errors import ConfigError

KeyPath = tuple[str | int, ...]


_EMAIL_RE = re.compile(r"^[^@\s<>]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


_DOMAIN_RE = re.compile(r"^(?=.{3,253}$)([a-z0-9-]+\.)+[a-z]{2,}$")


class KeyLocator:
    """Finds the line where a key of a TOML document is written.

    tomllib gives no positions, so the text is scanned once: table headers
    (``[a.b]``, ``[[a]]`` with their index) and ``key = value`` lines. It is
    good enough for error messages; it does not try to understand inline
    tables or keys inside multi-line strings.
    """

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r'^\s*("[^"]*"|\'[^\']*\'|[A-Za-z0-9_.\- ]+?)\s*=')

    def __init__(self, text: str) -> None:
        self.lines: dict[KeyPath, int] = {}
        counters: dict[tuple[str, ...], int] = {}
        table: KeyPath = ()
        for number, raw in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(raw)
            if header:
                names = tuple(_split_dotted(header.group(2)))
                if header.group(1) == "[[":
                    counters[names] = counters.get(names, -1) + 1
                table = tuple(_with_indices(names, counters))
                self.lines.setdefault(table, number)
                continue
            key = self._KEY.match(raw)
            if key:
                path = table + tuple(_split_dotted(key.group(1)))
                self.lines.setdefault(path, number)

    def line(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its closest enclosing key or table."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return None


def _split_dotted(text: str) -> list[str]:
    parts = re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', text)
    return [p.strip().strip("\"'") for p in parts if p.strip()]


def _with_indices(names: tuple[str, ...], counters: dict[tuple[str, ...], int]) -> list[str | int]:
    """Insert the current index after every array-of-tables prefix of ``names``."""
    out: list[str | int] = []
    for i, name in enumerate(names):
        out.append(name)
        prefix = names[: i + 1]
        if prefix in counters:
            out.append(counters[prefix])
    return out


def format_key(path: KeyPath) -> str:
    """``("comptes", 0, "port")`` → ``comptes[1].port`` (1-based for humans)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + part
    return out


class _Section:
    """A table of the document with its position, reading typed values."""

    def __init__(self, data: dict[str, Any], path: KeyPath, loader: _Loader) -> None:
        self.data = data
        self.path = path
        self.loader = loader
        self.used: set[str] = set()

    def fail(self, key: str | int | None, message: str) -> ConfigError:
        path = self.path if key is None else (*self.path, key)
        return self.loader.error(path, message)

    def raw(self, key: str, required: bool) -> Any:
        self.used.add(key)
        if key not in self.data:
            typo = difflib.get_close_matches(key, [k for k in self.data if isinstance(k, str)], n=1)
            if required and typo:
                raise self.fail(typo[0], f"clé inconnue (vouliez-vous dire « {key} » ?) ; "
                                f"la clé obligatoire « {key} » est absente")
            if required:
                raise self.fail(None, f"la clé obligatoire « {key} » est absente"
                                f"{' de la section [' + format_key(self.path) + ']' if self.path else ''}")
            return None
        return self.data[key]

    def text(self, key: str, *, required: bool = True, default: str | None = None,
            choices: Iterable[str] | None = None, pattern: re.Pattern[str] | None = None,
            hint: str = "") -> Any:
        value = self.raw(key, required and default is None)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(key, f"une chaîne de caractères entre guillemets est attendue, "
                            f"pas {_describe(value)}")
        value = value.strip()
        if not value and required:
            raise self.fail(key, "la valeur est vide")
        if choices is not None and value not in choices:
            raise self.fail(key, f"valeur « {value} » inconnue ; valeurs possibles : "
                            + ", ".join(choices))
        if pattern is not None and value and not pattern.match(value):
            raise self.fail(key, f"valeur « {value} » invalide{' : ' + hint if hint else ''}")
        return value

    def email(self, key: str, *, required: bool = True) -> Any:
        return self.text(key, required=required, pattern=_EMAIL_RE,
                        hint="une adresse électronique est attendue (nom@domaine.fr)")

    def integer(self, key: str, *, default: int | None = None, minimum: int | None = None,
            maximum: int | None = None) -> Any:
        value = self.raw(key, default is None)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"un nombre entier est attendu, pas {_describe(value)}")
        if minimum is not None and value < minimum or maximum is not None and value > maximum:
            raise self.fail(key, f"la valeur {value} doit être comprise entre {minimum} et {maximum}")
        return value

    def str_list(self, key: str, *, required: bool = True, default: tuple[str, ...] = (),
                 item_pattern: re.Pattern[str] | None = None, hint: str = "",
                 lower: bool = False) -> tuple[str, ...]:
        value = self.raw(key, required)
        if value is None:
            return default
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(key, f"une liste est attendue (par ex. [\"a\", \"b\"]), pas {_describe(value)}")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(key, f"l'élément n°{i + 1} doit être une chaîne non vide")
            item = item.strip().lower() if lower else item.strip()
            if item_pattern is not None and not item_pattern.match(item):
                raise self.fail(key, f"l'élément « {item} » est invalide{' : ' + hint if hint else ''}")
            out.append(item)
        if required and not out:
            raise self.fail(key, "la liste est vide")
        return tuple(out)

    def section(self, key: str, *, required: bool = True) -> _Section | None:
        value = self.raw(key, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail(key, f"une section [{format_key((*self.path, key))}] est attendue, "
                            f"pas {_describe(value)}")
        return _Section(value, (*self.path, key), self.loader)

    def sections(self, key: str, *, required: bool = True) -> list[_Section]:
        value = self.raw(key, required)
        if value is None:
            return []
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, f"des sections [[{key}]] sont attendues")
        if required and not value:
            raise self.fail(key, f"au moins une section [[{key}]] est attendue")
        return [_Section(v, (*self.path, key, i), self.loader) for i, v in enumerate(value)]

    def secret(self, origin: str, *, required: bool = True, base: Path | None = None) -> Secret | None:
        """Where the password is (``base``: the configuration's folder, for a relative file name)."""
        for forbidden in ("mot_de_passe", "password", "motdepasse"):
            if forbidden in self.data:
                self.used.add(forbidden)
                raise self.fail(forbidden, "le mot de passe ne doit jamais être écrit dans le "
                                "fichier de configuration : indiquez plutôt « mot_de_passe_env » "
                                "(nom d'une variable d'environnement) ou « mot_de_passe_fichier » "
                                "(fichier lisible par vous seul)")
        env = self.text("mot_de_passe_env", required=False,
                       pattern=re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$"),
                       hint="nom de variable d'environnement attendu (lettres, chiffres, _)")
        file = self.text("mot_de_passe_fichier", required=False)
        if env and file:
            raise self.fail("mot_de_passe_fichier", "indiquez soit « mot_de_passe_env », soit "
                            "« mot_de_passe_fichier », pas les deux")
        if not env and not file:
            if required:
                raise self.fail(None, "indiquez où trouver le mot de passe : « mot_de_passe_env » "
                                "ou « mot_de_passe_fichier »")
            return None
        return Secret(env=env, file=Path(file).expanduser() if file else None, origin=origin, base=base)

    def finish(self) -> None:
        """Reject unknown keys: a typo must not be silently ignored."""
        for key in self.data:
            if key not in self.used:
                close = difflib.get_close_matches(key, sorted(self.used), n=1)
                tip = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
                raise self.fail(key, f"clé inconnue{tip}")


class _Loader:
    def __init__(self, text: str, path: Path | None) -> None:
        self.path = path
        self.locator = KeyLocator(text)

    def error(self, key: KeyPath, message: str) -> ConfigError:
        return ConfigError(message, key=format_key(key) or None, line=self.locator.line(key),
                           path=str(self.path) if self.path else None)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "un booléen"
    if isinstance(value, int):
        return f"le nombre {value}"
    if isinstance(value, float):
        return f"le nombre {value}"
    if isinstance(value, str):
        return f"le texte « {value} »"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, dict):
        return "une section"
    return type(value).__name__


_TOML_LINE = re.compile(r"at line (\d+)")


def _toml_error_line(message: str) -> int | None:
    found = _TOML_LINE.search(message)
    return int(found.group(1)) if found else None


_TOML_TRANSLATIONS = (
    ("Invalid value", "valeur invalide"),
    ("Cannot overwrite a value", "clé définie deux fois"),
    ("Cannot declare", "section déclarée deux fois :"),
    ("Expected '=' after a key in a key/value pair", "« = » attendu après la clé"),
    ("Unterminated string", "chaîne non terminée (guillemet manquant)"),
    ("Invalid statement", "instruction invalide"),
    ("Expected newline or end of document after a statement",
     "fin de ligne attendue après la valeur"),
    ("Illegal character", "caractère interdit"),
    ("Expected ']' at the end of a table declaration", "« ] » manquant à la fin du nom de section"),
    ("Expected ']]' at the end of an array declaration", "« ]] » manquant à la fin du nom de section"),
    ("Unclosed array", "liste non fermée (« ] » manquant)"),
    ("Invalid initial character for a key part", "caractère invalide au début d'une clé"),
    ("Found invalid character in key name", "caractère invalide dans un nom de clé"),
    ("at line", "ligne"), ("column", "colonne"), ("at end of document", "à la fin du fichier"),
)


def _translate_toml_error(message: str) -> str:
    for english, french in _TOML_TRANSLATIONS:
        message = message.replace(english, french)
    return message

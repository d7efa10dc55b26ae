"""Language choice: the person's own switch first, then Accept-Language, then Chinese."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, has_request_context, request, session

LANG_SESSION_KEY = "lang"
# Catalogs live under "zh", not "zh_CN": Babel names the locale "zh_Hans_CN", and gettext's
# fallback from that name reaches "zh" but never "zh_CN".
TRANSLATIONS = Path(__file__).parent / "translations"


def select_locale() -> Locale:
    return _locale(_chosen_language())


@lru_cache(maxsize=16)
def _locale(code: str) -> Locale:
    """Parsed once per language: Flask-Babel parses a code the selector returns on every request
    that shows text, about 5 us each time."""
    return Locale.parse(code)


def _chosen_language() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and Celery: the default (Chinese)
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get(LANG_SESSION_KEY)
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    # Browsers say "zh-CN"; our catalogs are named "zh_CN".
    offered = [lang.replace("_", "-") for lang in languages]
    best = request.accept_languages.best_match(offered)
    if best is None and any(lang.lower().startswith("zh") for lang, _q in request.accept_languages):
        best = "zh-CN"
    return best.replace("-", "_") if best else current_app.config["BABEL_DEFAULT_LOCALE"]


def compile_catalogs(app: Flask) -> None:
    """Compile each ``messages.po`` to ``.mo`` when the ``.mo`` is missing or older.

    Only the ``.po`` text is kept in git; compiling here means a fresh clone needs no extra step.
    """
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        # A name of this process's own: test workers (or two servers) may compile at once.
        tmp = mo_path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp.replace(mo_path)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))

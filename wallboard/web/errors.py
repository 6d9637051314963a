"""Error pages people see in the browser: in the site's language, never a stack trace.

Small on purpose: a plain HTML page (no Dash bundle) that says what was not found and links back
to the list of screens.
"""

from __future__ import annotations

from html import escape

from flask import Response

from wallboard.i18n import translator

t = translator("errors")


def not_found_page(locale: str, what: str | None = None, theme: str = "dark") -> Response:
    """A 404 answer: ``what`` names the thing asked for (shown as text, never as HTML)."""
    title = t(locale, "Page not found")
    detail = t(locale, "{what} does not exist or cannot be opened.", what=what) if what else ""
    back = t(locale, "Back to the screens")
    dark = theme == "dark"
    body = f"""<!doctype html>
<html lang="{escape(locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>404 · {escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:0;padding:3rem 1.5rem;
background:{'#0b1220' if dark else '#f8fafc'};color:{'#e5e7eb' if dark else '#111827'}}}
main{{max-width:40rem;margin:auto}} a{{color:{'#7dd3fc' if dark else '#0369a1'};font-size:1.2rem}}</style>
</head><body><main class="not-found" data-status="404"><h1>{escape(title)}</h1>
<p>{escape(detail)}</p><p><a href="/">{escape(back)}</a></p></main></body></html>"""
    return Response(body, status=404, mimetype="text/html")

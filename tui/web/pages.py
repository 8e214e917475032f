"""The few HTML pages `treadmill serve` writes itself: the app's page, and the ones that turn away.

The app's page loads the terminal front end (xterm.js and its fonts) that ships inside the
textual-serve wheel, from this server: nothing is fetched from anywhere else, so the page
works on a treadmill's Wi-Fi with no internet.
"""

from __future__ import annotations

from html import escape

_STYLE = """
  @font-face { font-family: 'Roboto Mono'; src: url('/static/fonts/RobotoMono-VariableFont_wght.ttf'); }
  html, body { margin: 0; height: 100%; background: #0c181f; color: #eef; overflow: hidden; }
  body { font: 18px/1.5 system-ui, sans-serif; }
  .textual-terminal { position: absolute; inset: 0; opacity: 0; }
  body.-first-byte .textual-terminal { opacity: 1; }
  .notice { max-width: 32em; margin: 12vh auto; padding: 1.5em; }
  .notice h1 { font-size: 1.4em; margin: 0 0 0.6em; }
  #waiting, #ended { position: absolute; inset: 0; z-index: 5; background: #0c181f; }
  body.-first-byte #waiting { display: none; }
  #ended { display: none; }
  body.-closed #ended { display: block; }
  button { font: inherit; padding: 0.6em 1.4em; margin-top: 1em; }
"""


def _page(title: str, body: str, head: str = "") -> str:
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta name='referrer' content='no-referrer'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style>{head}</head>"
        f"<body>{body}</body></html>\n"
    )


def app_page(websocket_url: str, font_size: int) -> str:
    """The page that runs the app: the terminal front end, connected to ``websocket_url``."""
    head = (
        "<link rel='preload' href='/static/fonts/RobotoMono-VariableFont_wght.ttf' as='font' crossorigin>"
        "<link rel='stylesheet' href='/static/css/xterm.css'>"
        "<script src='/static/js/textual.js'></script>"
    )
    body = (
        "<div id='waiting' class='notice'><h1>Treadmill Companion</h1><p>Connecting…</p></div>"
        "<div id='ended' class='notice'><h1>The app has closed</h1>"
        "<p>The session is saved in your history. Reload to start the app again.</p>"
        "<button type='button' onclick='location.reload()'>Reload</button></div>"
        f"<div class='textual-terminal' data-session-websocket-url='{escape(websocket_url)}'"
        f" data-font-size='{font_size}'></div>"
    )
    return _page("Treadmill Companion", body, head)


FORBIDDEN = _page(
    "Treadmill Companion: not allowed",
    "<div class='notice'><h1>This address needs its key</h1>"
    "<p>Open the full address that <code>treadmill serve</code> printed (or scan its QR code): "
    "it carries a key that changes every time the server starts. The app can drive a belt "
    "someone is standing on, so it does not open without it.</p></div>",
)
"""What a request without the right token gets (HTTP 403)."""

IN_USE = _page(
    "Treadmill Companion: in use",
    "<div class='notice'><h1>The treadmill is in use</h1>"
    "<p>Another browser is showing this treadmill's session right now. One screen at a time "
    "follows a session, so that two people never steer the same belt.</p>"
    "<p>Close the app on the other screen (or let it disconnect), then reload this page: "
    "the session carries on and this screen picks it up.</p>"
    "<button type='button' onclick='location.reload()'>Reload</button></div>",
)
"""What a second browser gets while one is attached (HTTP 409)."""

WRONG_HOST = _page(
    "Treadmill Companion: wrong address",
    "<div class='notice'><h1>Open the address the server printed</h1>"
    "<p>This server answers to this computer's own addresses and names only, so that no web "
    "page elsewhere can reach it through a name of its own.</p></div>",
)
"""What a request naming another host gets (HTTP 421): the defence against DNS rebinding."""

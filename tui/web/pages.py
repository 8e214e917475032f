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
  .later { opacity: 0; animation: appear 0s 8s forwards; }
  @keyframes appear { to { opacity: 1; } }
  a { color: #9cf; }
"""


def _page(title: str, body: str, head: str = "") -> str:
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta name='referrer' content='no-referrer'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style>{head}</head>"
        f"<body>{body}</body></html>\n"
    )


CERTIFICATE_HINT = (
    "Still connecting? An iPhone or iPad links to this server only once it trusts its "
    "certificate: <a href='/certificate'>install the certificate</a>, then turn on full trust "
    "for it in Settings, General, About, Certificate Trust Settings."
)
"""What a page whose link does not come up says, when the server's certificate is its own."""


def app_page(websocket_url: str, font_size: int, *, hint: str = "") -> str:
    """The page that runs the app: the terminal front end, connected to ``websocket_url``.

    ``hint``: shown under "Connecting…" if the link has not come up after a while.
    """
    head = (
        "<link rel='preload' href='/static/fonts/RobotoMono-VariableFont_wght.ttf' as='font' crossorigin>"
        "<link rel='stylesheet' href='/static/css/xterm.css'>"
        "<script src='/static/js/textual.js'></script>"
    )
    body = (
        "<div id='waiting' class='notice'><h1>Treadmill Companion</h1><p>Connecting…</p>"
        f"{f'<p class=later>{hint}</p>' if hint else ''}</div>"
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


_MOTION_STYLE = """
  body { display: flex; align-items: center; justify-content: center; text-align: center; }
  #state { font-size: 13vw; font-weight: 700; line-height: 1.1; }
  #detail { font-size: 5vw; margin-top: 1em; opacity: 0.8; }
  body.on { background: #0b3d1f; } body.lost { background: #4a1010; } body.paused { background: #4a3a08; }
  #go { font-size: 8vw; padding: 0.6em 1.2em; border-radius: 0.4em; }
  main { padding: 0 1.2em; }
"""

_MOTION_SCRIPT = """
(() => {
  const PERIOD_MS = 50;  // 20 readings a second
  const state = document.getElementById('state'), detail = document.getElementById('detail');
  const go = document.getElementById('go');
  const id = sessionStorage.getItem('sensor') || String(Math.random()).slice(2);
  sessionStorage.setItem('sensor', id);
  let socket = null, started = false, lastSent = 0, lastReading = 0, orientation = null, wake = null;
  let opened = false, failed = 0;  // links that closed before they opened: refused
  let listening = true;  // a session hears the readings (the server says so every second)
  const streaming = () => listening
    ? show('on', 'Sensor on', 'Put the phone in your pocket. Leave this page open.')
    : show('paused', 'Sensor waiting', 'No session is running yet: start one on the treadmill screen.');
  const show = (cls, big, small) => {
    document.body.className = cls; state.textContent = big; detail.textContent = small || '';
  };
  if (!window.isSecureContext) {
    show('lost', 'Needs HTTPS',
      'Phones give motion sensors to secure pages only: start treadmill serve with --tls.');
    go.hidden = true;
    return;
  }
  const send = (message) => { if (socket && socket.readyState === 1) socket.send(JSON.stringify(message)); };
  const onMotion = (e) => {
    const r = e.rotationRate, a = e.accelerationIncludingGravity;
    if (!r || !a || r.alpha === null || a.x === null) return;
    const now = performance.now();
    if (now - lastSent < PERIOD_MS * 0.9) return;
    lastSent = lastReading = now;
    send({rotation_dps: [r.alpha, r.beta, r.gamma], accel_ms2: [a.x, a.y, a.z],
          orientation_deg: orientation});
  };
  const keepAwake = async () => {
    try {
      if ('wakeLock' in navigator) wake = await navigator.wakeLock.request('screen');
    } catch (_) { wake = null; }
  };
  const connect = () => {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    socket = new WebSocket(scheme + location.host + '/motion/ws?id=' + encodeURIComponent(id));
    socket.onopen = () => {
      opened = true;
      document.getElementById('hint').hidden = true;
      streaming();
    };
    socket.onmessage = (m) => {
      const told = JSON.parse(m.data);
      if (told.received > 0 && window.__firstHeard === undefined) window.__firstHeard = performance.now();
      if (listening !== told.apps > 0) {
        listening = told.apps > 0;
        streaming();
      }
    };
    socket.onclose = (e) => {
      failed = opened ? 0 : failed + 1;
      opened = false;
      if (failed >= 2) document.getElementById('hint').hidden = false;
      if (e.code === 4009) {
        show('lost', 'Another phone is the sensor', 'Close the sensor page there; this one keeps asking.');
        setTimeout(connect, 5000);
      } else {
        show('lost', 'Sensor lost', 'Reconnecting…');
        setTimeout(connect, 1000);
      }
    };
  };
  const start = async () => {
    try {
      if (typeof DeviceMotionEvent !== 'undefined' && DeviceMotionEvent.requestPermission) {
        if (await DeviceMotionEvent.requestPermission() !== 'granted') {
          show('lost', 'Motion refused', 'Allow Motion & Orientation for this site, then reload.');
          return;
        }
        if (DeviceOrientationEvent.requestPermission) {
          await DeviceOrientationEvent.requestPermission().catch(() => null);
        }
      }
    } catch (err) {
      show('lost', 'No motion sensors', String(err));
      return;
    }
    started = true;
    go.hidden = true;
    addEventListener('deviceorientation', (e) => {
      if (e.alpha !== null) orientation = [e.alpha, e.beta, e.gamma];
    });
    addEventListener('devicemotion', onMotion);
    lastReading = performance.now();
    connect();
    keepAwake();
  };
  go.addEventListener('click', () => { window.__tapped = performance.now(); start(); });
  document.addEventListener('visibilitychange', () => {
    if (!started) return;
    if (document.visibilityState === 'visible') keepAwake();
    else show('paused', 'Sensor paused', 'The page is hidden: the phone sends nothing.');
  });
  setInterval(() => {
    if (!started || !socket || socket.readyState !== 1) return;
    if (performance.now() - lastReading > 2000) {
      show('paused', 'Sensor paused', 'No readings from the motion sensors.');
    } else if (state.textContent === 'Sensor paused') {
      streaming();
    }
  }, 1000);
})();
"""


def motion_page(*, hint: str = "") -> str:
    """The sensor page for the phone you carry: one tap to start, then only its state, in large type.

    ``hint``: shown if its link fails to come up twice (an iPhone that does not trust the
    server's own certificate refuses the secure websocket, though it showed the page).
    """
    body = (
        "<main><div id='state'>Motion sensor</div>"
        "<div id='detail'>For the phone you carry on the belt: in a pocket or an armband.</div>"
        "<button type='button' id='go'>Start</button>"
        f"<p id='hint' hidden>{hint}</p></main>"
        f"<script>{_MOTION_SCRIPT}</script>"
    )
    return _page("Treadmill Companion: motion sensor", body, f"<style>{_MOTION_STYLE}</style>")

"""The Textual app for Treadmill Companion.

It renders session state from the ``treadmill`` library (a :class:`~treadmill.session.board.LiveBoard`
snapshot at a steady rate, the coach's cues and warnings as messages) and sends the user's
intents back through :mod:`treadmill.session.actions`. It never imports bleak or aiomqtt.
"""

"""The Textual app for Treadmill Companion.

It renders session state from the ``treadmill`` library and sends user intents back; it
never imports bleak or aiomqtt. The screens arrive with the app itself (issue 7).
"""

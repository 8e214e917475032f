"""The app in a browser: `treadmill serve` (textual-serve's front end, our server around it)."""

"""The app's screens: device picker, workout picker, live workout, summary, history, quit check."""

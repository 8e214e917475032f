"""A phone worn on the body as a motion sensor: its readings, and the feed that brings them to a session."""

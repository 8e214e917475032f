"""Sessions: one path from a source (a treadmill, the virtual one, a recording) to every consumer."""

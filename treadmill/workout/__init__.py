"""Workouts: plans (TOML, built-in, Zwift ``.zwo``), the cue engine, safety rules, belt control."""

"""What is kept on disk: recordings, the history, the profile, known devices, exports."""

"""The console's events."""

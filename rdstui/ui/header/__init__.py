"""The console's header."""

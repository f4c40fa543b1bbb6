"""The console's actions."""

"""The console's tree."""

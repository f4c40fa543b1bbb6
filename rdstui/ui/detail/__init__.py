"""The console's detail."""

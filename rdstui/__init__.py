"""rdstui: a terminal console for Amazon RDS and Aurora fleets."""

__version__ = "0.1.0"

"""ipops: IP operations service platform."""

__version__ = "0.1.0"

"""Village legal-service kiosk: the terminal app and its reference central service."""

__version__ = "0.1.0"

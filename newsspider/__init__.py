"""newsspider: keeps an archive of RFI Chinese news complete, current and honest."""

__version__ = "0.1.0"

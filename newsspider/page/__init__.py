"""RFI article page -> archive entry parts (rules: docs/page-to-entry.md)."""

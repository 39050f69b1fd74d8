"""The data kinds of this app (import and export); filled in as the app grows."""

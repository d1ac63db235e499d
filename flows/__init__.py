"""The I/O shell: every network, disk and database call of Fazhi Atlas lives here."""

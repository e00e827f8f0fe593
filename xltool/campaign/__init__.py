"""A collection campaign: the register (SQLite), mail sources, collecting, replying and status."""

"""One module per chapter: the tables, charts and key figures its notebook shows."""

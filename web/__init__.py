"""`coach serve`: the report web app over the published warehouse (read-only)."""

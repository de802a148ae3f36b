"""Who may see the reports: users with a role and a scope, their sessions, the lock-out of a
name after failed log-ins, and the access log of who saw what. A small owner-only SQLite store
of its own beside the warehouse (never inside the published file, which every publish replaces),
with its schema versioned. The web app (`web/`) and `coach users` / `coach access-log` use it."""

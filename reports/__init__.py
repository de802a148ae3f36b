"""Reports and CSV/JSON exports over the published marts (read-only; no business rule here)."""

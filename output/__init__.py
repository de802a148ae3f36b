"""Rows out of the product: one set of cell conventions and one writer for CSV and JSON, shared by
reports, exports, the write-back plan and its audit (and the web app's downloads)."""

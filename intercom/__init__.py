"""The Intercom REST client shared by ingest, write-back and `coach doctor`: HTTP, pacing to the
rate limit, retries, paging, page decoding, preflight checks. It knows nothing of the warehouse
beyond its configuration and record preparation."""

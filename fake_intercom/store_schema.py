"""The SQLite tables behind the store (store.py explains what each holds) and the indexes built
once a workspace is loaded."""

TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS admins (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS teams (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS data_attributes (rowid INTEGER PRIMARY KEY, model TEXT NOT NULL,
    name TEXT NOT NULL, data_type TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (model, name));
CREATE TABLE IF NOT EXISTS contacts (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    live INTEGER NOT NULL,          -- 1 active, 0 deleted, -1 merged away
    merged_into TEXT,
    external_id TEXT,
    created_at INTEGER NOT NULL,
    body TEXT NOT NULL,
    idx_state INTEGER NOT NULL,
    idx_body TEXT,
    s_updated_at INTEGER
);
CREATE TABLE IF NOT EXISTS conversations (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    body TEXT NOT NULL,
    idx_state INTEGER NOT NULL,
    idx_body TEXT,
    s_updated_at INTEGER,
    parts TEXT                      -- JSON array of parts added through the API
);
CREATE TABLE IF NOT EXISTS conversation_contacts (conv_rowid INTEGER NOT NULL,
    contact_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conversation_teammates (conv_rowid INTEGER NOT NULL,
    admin_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL,
    rec_rowid INTEGER NOT NULL, visible_at REAL NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contacts_orig AS SELECT * FROM contacts WHERE 0;
CREATE TABLE IF NOT EXISTS conversations_orig AS SELECT * FROM conversations WHERE 0;
"""

# Created after a bulk load: building an index once is much faster than maintaining it per row.
INDEXES = """
CREATE UNIQUE INDEX IF NOT EXISTS contacts_orig_rowid ON contacts_orig (rowid);
CREATE UNIQUE INDEX IF NOT EXISTS conversations_orig_rowid ON conversations_orig (rowid);
CREATE INDEX IF NOT EXISTS contacts_list ON contacts (created_at, rowid) WHERE live = 1;
CREATE INDEX IF NOT EXISTS contacts_search_updated ON contacts (s_updated_at, rowid)
    WHERE live = 1 AND idx_state > 0;
CREATE INDEX IF NOT EXISTS contacts_external_id ON contacts (external_id) WHERE live = 1;
CREATE INDEX IF NOT EXISTS conversations_list ON conversations (updated_at, rowid);
CREATE INDEX IF NOT EXISTS conversations_search_updated ON conversations (s_updated_at, rowid)
    WHERE idx_state > 0;
CREATE INDEX IF NOT EXISTS conversations_search_created ON conversations (created_at, rowid)
    WHERE idx_state > 0;
CREATE INDEX IF NOT EXISTS conversation_contacts_contact
    ON conversation_contacts (contact_id, conv_rowid);
CREATE INDEX IF NOT EXISTS conversation_contacts_conv ON conversation_contacts (conv_rowid);
CREATE INDEX IF NOT EXISTS conversation_teammates_admin
    ON conversation_teammates (admin_id, conv_rowid);
CREATE INDEX IF NOT EXISTS conversation_teammates_conv ON conversation_teammates (conv_rowid);
CREATE INDEX IF NOT EXISTS pending_visible ON pending (visible_at);
"""

{#- Incremental: only contacts landed or deleted since the last build are parsed (macro
    latest_parsed). Deleted contacts stay here flagged (`is_deleted`) so that a later deletion
    notice replaces the row; the stg_ models leave them out. -#}
{{ config(
    materialized='incremental',
    unique_key='contact_id',
    meta={'changed_keys': {'contact_id': 'contacts'}},
) }}

{{ latest_parsed('contacts', 'contact_id', [
    ('external_id', json_text('record', ['external_id'])),
    ('role', json_text('record', ['role'])),
    ('email', json_text('record', ['email'])),
    ('name', json_text('record', ['name'])),
    ('created_at', json_unix_timestamptz('record', ['created_at'])),
    ('updated_at', json_unix_timestamptz('record', ['updated_at'])),
    ('custom_attributes_json', json_get('record', ['custom_attributes'])),
]) }}

{#- Incremental: only conversations landed or deleted since the last build are parsed (macro
    latest_parsed); a rebuild at millions of conversations reads just the new rows. Deleted
    conversations stay here flagged (`is_deleted`) so that a later deletion notice replaces the
    row; stg_ filters them. -#}
{{ config(
    materialized='incremental',
    unique_key='conversation_id',
    meta={'changed_keys': {'conversation_id': 'conversations'}},
) }}
{#- Unassigned is null in 2.11 and 0 from 2.16 on. #}

{{ latest_parsed('conversations', 'conversation_id', [
    ('created_at', json_unix_timestamptz('record', ['created_at'])),
    ('updated_at', json_unix_timestamptz('record', ['updated_at'])),
    ('state', json_text('record', ['state'])),
    ('admin_assignee_id', "nullif(" ~ json_text('record', ['admin_assignee_id']) ~ ", '0')"),
    ('team_assignee_id', "nullif(" ~ json_text('record', ['team_assignee_id']) ~ ", '0')"),
    ('first_teammate_id', json_text('record', ['teammates', 'teammates', 0, 'id'])),
    ('last_close_at', json_unix_timestamptz('record', ['statistics', 'last_close_at'])),
    ('channel_raw', json_text('record', ['custom_attributes', 'Channel'])),
    ('service_code_raw', json_text('record', ['custom_attributes', 'Service Code'])),
    ('contacts_json', json_get('record', ['contacts', 'contacts'])),
    ('contact_count', json_array_length(json_get('record', ['contacts', 'contacts']))),
]) }}

{#- Incremental: only conversations landed or deleted since the last build are parsed again; a
    rebuild at millions of conversations reads just the new rows. Deleted conversations stay here
    flagged (`is_deleted`) so that a later deletion notice replaces the row; stg_ filters them. -#}
{{ config(materialized='incremental', unique_key='conversation_id') }}

with

latest as (
    {%- if is_incremental() %}
    {{ latest_versions('conversations', changed_since='select _newest_loaded_at as newest_loaded_at, _deleted_at as deleted_at from ' ~ this) }}
    {%- else %}
    {{ latest_versions('conversations') }}
    {%- endif %}
),

parsed as (
    select
        id as conversation_id,
        {{ json_unix_timestamptz('record', ['created_at']) }} as created_at,
        {{ json_unix_timestamptz('record', ['updated_at']) }} as updated_at,
        {{ json_text('record', ['state']) }} as state,
        {# Unassigned is null in 2.11 and 0 from 2.16 on. #}
        nullif({{ json_text('record', ['admin_assignee_id']) }}, '0') as admin_assignee_id,
        nullif({{ json_text('record', ['team_assignee_id']) }}, '0') as team_assignee_id,
        {{ json_text('record', ['teammates', 'teammates', 0, 'id']) }} as first_teammate_id,
        {{ json_unix_timestamptz('record', ['statistics', 'last_close_at']) }} as last_close_at,
        {{ json_text('record', ['custom_attributes', 'Channel']) }} as channel_raw,
        {{ json_text('record', ['custom_attributes', 'Service Code']) }} as service_code_raw,
        {{ json_get('record', ['contacts', 'contacts']) }} as contacts_json,
        {{ json_array_length(json_get('record', ['contacts', 'contacts'])) }} as contact_count,
        is_deleted,
        newest_loaded_at as _newest_loaded_at,
        deleted_at as _deleted_at
    from latest
)

select * from parsed

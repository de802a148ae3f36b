with

contacts as (
    select * from {{ ref('base_intercom__contacts') }}
),

parsed as (
    select
        contact_id,
        {{ json_text('record', ['external_id']) }} as external_id,
        {{ json_text('record', ['role']) }} as role,
        {{ json_text('record', ['email']) }} as email,
        {{ json_text('record', ['name']) }} as name,
        {{ json_unix_timestamptz('record', ['created_at']) }} as created_at,
        {{ json_unix_timestamptz('record', ['updated_at']) }} as updated_at,
        loaded_at
    from contacts
)

select * from parsed

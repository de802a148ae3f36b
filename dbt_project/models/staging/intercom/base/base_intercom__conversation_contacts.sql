{#- Incremental: the contact lists of conversations parsed since the last build. Rows of an older
    version of a conversation may linger here; stg_intercom__conversation_contacts keeps only the
    rows of each conversation's current version. -#}
{{ config(materialized='incremental', unique_key='conversation_id') }}

with

conversations as (
    select
        conversation_id,
        contacts_json,
        _newest_loaded_at
    from {{ ref('base_intercom__conversations') }}
    {%- if is_incremental() %}
    where _newest_loaded_at > (
        select coalesce(max(_newest_loaded_at), cast('1970-01-01 00:00:00+00' as {{ type_timestamptz() }}))
        from {{ this }}
    )
    {%- endif %}
),

listed_contacts as (
    select
        conversations.conversation_id,
        {{ json_text('listed.element', ['id']) }} as contact_id,
        {{ json_text('listed.element', ['external_id']) }} as external_id,
        listed.position,
        conversations._newest_loaded_at
    from conversations
    {{ json_array_elements('conversations.contacts_json', 'listed') }}
)

select * from listed_contacts

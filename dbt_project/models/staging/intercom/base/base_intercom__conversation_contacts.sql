{#- Incremental: the contact lists of conversations parsed since the last build. A conversation
    changed by this build keeps, beside its new list, the list of its previous version: the
    incremental member models recompute the contacts on either (macros/incremental.sql, kind
    `members`). stg_intercom__conversation_contacts keeps only the rows of each conversation's
    current version. -#}
{{ config(
    materialized='incremental',
    unique_key='conversation_id',
    meta={'changed_keys': {'conversation_id': 'conversations'}},
) }}

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
),

{%- if is_incremental() %}

previous_versions as (
    select
        conversation_id,
        max(_newest_loaded_at) as _newest_loaded_at
    from {{ this }}
    where conversation_id in (select conversations.conversation_id from conversations)
    group by conversation_id
),

previous_lists as (
    select
        listed.conversation_id,
        listed.contact_id,
        listed.external_id,
        listed.position,
        listed._newest_loaded_at
    from {{ this }} as listed
    inner join previous_versions
        on previous_versions.conversation_id = listed.conversation_id
        and previous_versions._newest_loaded_at = listed._newest_loaded_at
),

{%- endif %}

all_lists as (
    select * from listed_contacts
    {%- if is_incremental() %}
    union all
    select * from previous_lists
    {%- endif %}
)

select * from all_lists

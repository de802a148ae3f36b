{#- The keys changed since the last successful build, by kind (macros/incremental.sql), computed
    once per build for every incremental model that follows them. Empty when the build has no
    watermarks: the incremental models then replace every row. -#}
with

contacts as (
    select * from {{ ref('base_intercom__contacts') }}
),

conversations as (
    select * from {{ ref('base_intercom__conversations') }}
),

conversation_lists as (
    select * from {{ ref('base_intercom__conversation_contacts') }}
),

changed_contacts as (
    select contact_id as key_value
    from contacts
    where _newest_loaded_at > {{ watermark('contacts') }}
        or _deleted_at > {{ watermark('deletions') }}
),

changed_conversations as (
    select conversation_id as key_value
    from conversations
    where _newest_loaded_at > {{ watermark('conversations') }}
        or _deleted_at > {{ watermark('deletions') }}
),

-- A changed contact's role or existence decides whether it is a member of the conversations
-- listing it.
changed_conversation_members as (
    select key_value from changed_conversations
    union
    select conversation_lists.conversation_id as key_value
    from conversation_lists
    inner join changed_contacts
        on changed_contacts.key_value = conversation_lists.contact_id
),

-- The lists hold a changed conversation's new and previous contacts.
changed_members as (
    select key_value from changed_contacts
    union
    select conversation_lists.contact_id as key_value
    from conversation_lists
    inner join changed_conversations
        on changed_conversations.key_value = conversation_lists.conversation_id
    where conversation_lists.contact_id is not null
),

changed as (
    select
        'contacts' as key_kind,
        key_value
    from changed_contacts
    union all
    select
        'conversations' as key_kind,
        key_value
    from changed_conversations
    union all
    select
        'conversation_members' as key_kind,
        key_value
    from changed_conversation_members
    union all
    select
        'members' as key_kind,
        key_value
    from changed_members
),

final as (
    select
        key_kind,
        key_value
    from changed
    {%- if not incremental_keys_known() %}
    where false
    {%- endif %}
)

select * from final

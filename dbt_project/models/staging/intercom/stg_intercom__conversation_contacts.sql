{#- Incremental: the lists of the conversations changed since the last build are replaced
    (macros/incremental.sql), so the models that follow conversations read a table, not a join
    over every version's list. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed() }}",
    meta={'changed_keys': {'conversation_id': 'conversations'}},
) }}
{%- set changed = changed_keys('conversations') %}

with

listed_contacts as (
    select * from {{ ref('base_intercom__conversation_contacts') }}
    where {{ is_changed('conversation_id', changed) }}
),

conversations as (
    select
        conversation_id,
        _newest_loaded_at
    from {{ ref('base_intercom__conversations') }}
    where not is_deleted
        and {{ is_changed('conversation_id', changed) }}
),

current_lists as (
    select
        listed_contacts.conversation_id,
        listed_contacts.contact_id,
        min(listed_contacts.external_id) as external_id,
        min(listed_contacts.position) as position
    from listed_contacts
    inner join conversations
        on conversations.conversation_id = listed_contacts.conversation_id
        and conversations._newest_loaded_at = listed_contacts._newest_loaded_at
    where listed_contacts.contact_id is not null
    group by listed_contacts.conversation_id, listed_contacts.contact_id
)

select * from current_lists

{#- Every contact listed on a conversation, with what it is: a user (a member), a lead, or an id
    that no longer exists (deleted or merged away). Incremental: the rows of changed conversations
    and of the conversations listing a changed contact are replaced. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed() }}",
    meta={'changed_keys': {'conversation_id': 'conversation_members'}},
) }}
{%- set changed = changed_keys('conversation_members') %}

with

listed_contacts as (
    select * from {{ ref('stg_intercom__conversation_contacts') }}
    where {{ is_changed('conversation_id', changed) }}
),

contacts as (
    select
        contact_id,
        role
    from {{ ref('stg_intercom__contacts') }}
),

members as (
    select
        listed_contacts.conversation_id,
        listed_contacts.contact_id,
        listed_contacts.position,
        contacts.role,
        case
            when contacts.contact_id is null then 'missing'
            when contacts.role = 'user' then 'user'
            else 'lead'
        end as contact_status
    from listed_contacts
    left join contacts
        on contacts.contact_id = listed_contacts.contact_id
)

select * from members

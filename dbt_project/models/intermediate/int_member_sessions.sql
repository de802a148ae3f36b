{#- One row per conversation that counts for anything (coaching session, call session, phone call)
    and user contact listed on it, up to the as-of date. Member-level metrics credit every member
    of a conversation; session counts count distinct conversation_id. Incremental: the rows of
    changed conversations and of those listing a changed contact are replaced; every row when the
    as-of date moved. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed() }}",
    meta={'changed_keys': {'conversation_id': 'conversation_members'}, 'dated': true},
) }}
{%- set changed = changed_keys('conversation_members') %}

with

conversations as (
    select * from {{ ref('int_conversations') }}
    where {{ is_changed('conversation_id', changed, dated=true) }}
),

conversation_members as (
    select * from {{ ref('int_conversation_members') }}
    where {{ is_changed('conversation_id', changed, dated=true) }}
),

member_sessions as (
    select
        conversations.conversation_id,
        conversation_members.contact_id,
        conversations.session_at,
        conversations.session_date,
        conversations.channel,
        conversations.service_code,
        conversations.coach_id,
        conversations.coach_name,
        conversations.is_coaching_session,
        conversations.is_call_session,
        conversations.is_qualifying_call,
        conversations.is_phone_call
    from conversations
    inner join conversation_members
        on conversation_members.conversation_id = conversations.conversation_id
    where conversation_members.contact_status = 'user'
        and conversations.session_date <= {{ as_of_date() }}
        and (
            conversations.is_coaching_session
            or conversations.is_call_session
            or conversations.is_phone_call
        )
)

select * from member_sessions

{#- One row per conversation, classified once: session time, matched Channel and Service Code,
    the session kinds of the glossary, and its coach. Incremental: the rows of changed
    conversations are replaced (admins changed: every row; warehouse/build_state.py). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed() }}",
    meta={'changed_keys': {'conversation_id': 'conversations'}},
) }}
{%- set changed = changed_keys('conversations') %}

with

conversations as (
    select * from {{ ref('stg_intercom__conversations') }}
    where {{ is_changed('conversation_id', changed) }}
),

channels as (
    select * from {{ ref('channels') }}
),

service_codes as (
    select * from {{ ref('service_codes') }}
),

admins as (
    select * from {{ ref('stg_intercom__admins') }}
),

closed as (
    select
        *,
        state = 'closed' as is_closed
    from conversations
),

classified as (
    select
        closed.conversation_id,
        closed.state,
        closed.is_closed,
        closed.created_at,
        closed.last_close_at,
        -- Closed: the last close, else creation. Open phone calls count from creation.
        coalesce(case when closed.is_closed then closed.last_close_at end, closed.created_at)
            as session_at,
        closed.channel_raw,
        channels.channel,
        closed.service_code_raw,
        service_codes.service_code,
        closed.is_closed and coalesce(channels.is_coaching_channel, false) as is_coaching_session,
        closed.is_closed and coalesce(channels.is_call_channel, false) as is_call_session,
        (
            closed.is_closed
            and coalesce(channels.is_call_channel, false)
            and coalesce(service_codes.is_qualifying, false)
        ) as is_qualifying_call,
        coalesce(channels.is_phone_channel, false) as is_phone_call,
        closed.admin_assignee_id,
        closed.first_teammate_id,
        closed.admin_assignee_id is not null and assignee.admin_id is null as has_unknown_assignee,
        coalesce(assignee.admin_id, teammate.admin_id) as coach_id,
        case when assignee.admin_id is not null then assignee.name else teammate.name end
            as coach_name,
        closed.contact_count
    from closed
    left join channels
        on channels.channel = trim(closed.channel_raw)
    left join service_codes
        on service_codes.service_code = trim(closed.service_code_raw)
    left join admins as assignee
        on assignee.admin_id = closed.admin_assignee_id
    left join admins as teammate
        on teammate.admin_id = closed.first_teammate_id
),

dated as (
    select
        *,
        {{ local_date('session_at') }} as session_date
    from classified
)

select * from dated

{#- One row per conversation, classified once: session time, matched Channel and Service Code,
    the session kinds of the glossary, and its coach. -#}
with

conversations as (
    select * from {{ ref('stg_intercom__conversations') }}
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

classified as (
    select
        conversations.conversation_id,
        conversations.state,
        conversations.state = 'closed' as is_closed,
        conversations.created_at,
        conversations.last_close_at,
        {#- Closed: the last close, else creation. Open phone calls count from creation. -#}
        coalesce(
            case when conversations.state = 'closed' then conversations.last_close_at end,
            conversations.created_at
        ) as session_at,
        conversations.channel_raw,
        channels.channel,
        conversations.service_code_raw,
        service_codes.service_code,
        conversations.state = 'closed' and coalesce(channels.is_coaching_channel, false) as is_coaching_session,
        conversations.state = 'closed' and coalesce(channels.is_call_channel, false) as is_call_session,
        conversations.state = 'closed' and coalesce(channels.is_call_channel, false)
            and coalesce(service_codes.is_qualifying, false) as is_qualifying_call,
        coalesce(channels.is_phone_channel, false) as is_phone_call,
        conversations.admin_assignee_id,
        conversations.first_teammate_id,
        coalesce(assignee.admin_id, teammate.admin_id) as coach_id,
        case when assignee.admin_id is not null then assignee.name else teammate.name end as coach_name,
        conversations.contact_count
    from conversations
    left join channels
        on channels.channel = trim(conversations.channel_raw)
    left join service_codes
        on service_codes.service_code = trim(conversations.service_code_raw)
    left join admins as assignee
        on assignee.admin_id = conversations.admin_assignee_id
    left join admins as teammate
        on teammate.admin_id = conversations.first_teammate_id
),

dated as (
    select
        *,
        {{ local_date('session_at') }} as session_date
    from classified
),

final as (
    select
        *,
        {{ days_between('session_date', as_of_date()) }} as days_since
    from dated
)

select * from final

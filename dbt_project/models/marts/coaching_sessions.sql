with

member_sessions as (
    select * from {{ ref('int_member_sessions') }}
    where is_coaching_session
),

members as (
    select
        contact_id,
        external_id,
        employer
    from {{ ref('int_contacts') }}
),

final as (
    select
        member_sessions.conversation_id,
        member_sessions.contact_id,
        members.external_id,
        member_sessions.session_at,
        member_sessions.session_date,
        {{ iso_month('member_sessions.session_date') }} as session_month,
        member_sessions.days_since,
        {{ days_bucket('member_sessions.days_since', caseload_bucket_edges()) }} as recency_bucket,
        member_sessions.channel,
        member_sessions.service_code,
        member_sessions.coach_id,
        member_sessions.coach_name,
        members.employer,
        member_sessions.is_call_session,
        member_sessions.is_qualifying_call
    from member_sessions
    inner join members
        on members.contact_id = member_sessions.contact_id
)

{# Stored in date order, so that a window or date range reads only its own blocks. -#}
select * from final
order by session_date, conversation_id

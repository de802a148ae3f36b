{#- Per user contact with any activity up to the as-of date: the first and last qualifying
    coaching call, last phone call, last coaching and call sessions, and the last session's coach.
    Incremental: the rows of the members of changed conversations and of changed contacts are
    replaced; every row when the as-of date moved. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed() }}",
    meta={'changed_keys': {'contact_id': 'members'}, 'dated': true},
) }}
{%- set changed = changed_keys('members') %}

with

member_sessions as (
    select * from {{ ref('int_member_sessions') }}
    where {{ is_changed('contact_id', changed, dated=true) }}
),

latest_coaching_session as (
    select
        contact_id,
        coach_id,
        coach_name,
        row_number() over (
            partition by contact_id order by session_at desc, conversation_id desc
        ) as recency_rank
    from member_sessions
    where is_coaching_session
),

activity as (
    select
        contact_id,
        min(case when is_qualifying_call then session_at end) as first_qualifying_call_at,
        max(case when is_qualifying_call then session_at end) as last_qualifying_call_at,
        max(case when is_phone_call then session_at end) as last_phone_call_at,
        max(case when is_coaching_session then session_at end) as last_coaching_session_at,
        max(case when is_call_session then session_at end) as last_call_session_at,
        count(distinct case when is_coaching_session then conversation_id end)
            as coaching_session_count
    from member_sessions
    group by contact_id
),

final as (
    select
        activity.*,
        latest_coaching_session.coach_id as last_coach_id,
        latest_coaching_session.coach_name as last_coach_name
    from activity
    left join latest_coaching_session
        on latest_coaching_session.contact_id = activity.contact_id
        and latest_coaching_session.recency_rank = 1
)

select * from final

{#- One row per member (user contact): typed attributes, session activity and Engagement Status
    together, the shape every member-grained rule and mart starts from.
    Incremental: the rows of the members of changed conversations and of changed
    contacts are replaced; every row when the as-of date moved. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed() }}",
    meta={'changed_keys': {'contact_id': 'members'}, 'dated': true},
) }}
{%- set changed = changed_keys('members') %}
with

members as (
    select * from {{ ref('int_contacts') }}
    where is_user and {{ is_changed('contact_id', changed, dated=true) }}
),

activity as (
    select * from {{ ref('int_member_activity') }}
    where {{ is_changed('contact_id', changed, dated=true) }}
),

status as (
    select * from {{ ref('int_engagement_status') }}
    where {{ is_changed('contact_id', changed, dated=true) }}
),

joined as (
    select
        members.*,
        activity.first_qualifying_call_at,
        activity.last_qualifying_call_at,
        activity.last_phone_call_at,
        activity.last_coaching_session_at,
        activity.last_call_session_at,
        coalesce(activity.coaching_session_count, 0) as coaching_session_count,
        activity.last_coach_id,
        activity.last_coach_name,
        status.days_since_enrolled,
        status.days_since_last_qualifying_call,
        status.engagement_status,
        status.status_basis
    from members
    left join activity
        on activity.contact_id = members.contact_id
    left join status
        on status.contact_id = members.contact_id
)

select * from joined

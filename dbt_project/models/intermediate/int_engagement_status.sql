{#- Engagement Status per user contact at the as-of date (glossary: Engagement Status). Before the
    first qualifying call a member is judged by days since Enrolled Date; from that call on, by
    days since the latest one. So a late first call means Unengaged until it happens, and the late
    start is never applied again. Contacts without a valid Enrolled Date get no status.
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
    select
        contact_id,
        enrolled_date
    from {{ ref('int_contacts') }}
    where is_user and {{ is_changed('contact_id', changed, dated=true) }}
),

activity as (
    select * from {{ ref('int_member_activity') }}
    where {{ is_changed('contact_id', changed, dated=true) }}
),

days as (
    select
        members.contact_id,
        members.enrolled_date,
        {{ local_date('activity.first_qualifying_call_at') }} as first_qualifying_call_date,
        {{ local_date('activity.last_qualifying_call_at') }} as last_qualifying_call_date,
        {{ days_between('members.enrolled_date', as_of_date()) }}
            as days_since_enrolled,
        {{ days_between(local_date('activity.last_qualifying_call_at'), as_of_date()) }}
            as days_since_last_qualifying_call
    from members
    left join activity
        on activity.contact_id = members.contact_id
),

status as (
    select
        *,
        case
            when enrolled_date is null then null
            when
                last_qualifying_call_date is null
                and days_since_enrolled <= {{ var('engaged_days') }}
                then 'Engaged'
            when last_qualifying_call_date is null then 'Unengaged'
            when days_since_last_qualifying_call <= {{ var('engaged_days') }} then 'Engaged'
            when days_since_last_qualifying_call <= {{ var('at_risk_days') }} then 'At Risk'
            else 'Unengaged'
        end as engagement_status,
        case
            when enrolled_date is null then 'no valid Enrolled Date'
            when last_qualifying_call_date is null then 'days since Enrolled Date'
            else 'days since last qualifying coaching call'
        end as status_basis
    from days
)

select * from status

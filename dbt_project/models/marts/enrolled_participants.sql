{#- Members whose Enrolled Date lies in the lookback window, and how long since their last
    coaching session (or since enrolment when they have none). The "> 28" bucket is this report's
    own label and has nothing to do with Engagement Status.
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
    select * from {{ ref('members') }}
    where {{ is_changed('contact_id', changed, dated=true) }}
),

enrolled_in_window as (
    select
        contact_id,
        external_id,
        name,
        employer,
        enrolled_date,
        days_since_enrolled,
        last_coaching_session_at,
        coalesce(
            {{ days_between(local_date('last_coaching_session_at'), as_of_date()) }},
            days_since_enrolled
        ) as days_without_session,
        last_coach_id as coach_id,
        last_coach_name as coach_name
    from members
    where days_since_enrolled between 0 and {{ lookback_days() }}
),

final as (
    select
        *,
        {{ days_bucket('days_without_session', no_session_bucket_edges()) }} as no_session_bucket
    from enrolled_in_window
)

select * from final

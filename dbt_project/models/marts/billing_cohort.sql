{#- One row per calendar month (program time zone) and member who is a new participant (Enrolled
    Date in the month) and/or engaged during it (a call session on a date from the month's first
    day minus at_risk_days to its last day). Test employers are excluded. Incremental: the rows of
    the members of changed conversations and of changed contacts are replaced; every row when the
    as-of date moved. -#}
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
    where is_user and not coalesce(is_test_employer, false)
        and {{ is_changed('contact_id', changed, dated=true) }}
),

call_sessions as (
    select
        contact_id,
        session_at,
        session_date
    from {{ ref('int_member_sessions') }}
    where is_call_session
        and {{ is_changed('contact_id', changed, dated=true) }}
),

monthly_calls as (
    select
        contact_id,
        {{ month_start('session_date') }} as month_start,
        max(session_date) as last_call_date,
        max(session_at) as last_call_session_at
    from call_sessions
    group by contact_id, {{ month_start('session_date') }}
),

{# A call session on date d engages its member in every month whose first day is at most
    at_risk_days after d, starting with d's own month: per member and month, the latest call
    decides. Months are at least 28 days long, so at_risk_days // 28 + 1 following months bound
    the search. -#}
month_offsets as (
    {%- for offset in range((var('at_risk_days') | int) // 28 + 2) %}
    select {{ offset }} as month_offset
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
),

engaged_months as (
    select distinct
        monthly_calls.contact_id,
        {{ add_months('monthly_calls.month_start', 'month_offsets.month_offset') }} as month_start
    from monthly_calls
    cross join month_offsets
    where {{ add_months('monthly_calls.month_start', 'month_offsets.month_offset') }}
        <= {{ add_days('monthly_calls.last_call_date', var('at_risk_days')) }}
),

new_participant_months as (
    select
        contact_id,
        {{ month_start('enrolled_date') }} as month_start
    from members
    where enrolled_date is not null
),

cohort_flags as (
    select
        contact_id,
        month_start,
        true as is_new_participant,
        false as is_engaged
    from new_participant_months
    union all
    select
        contact_id,
        month_start,
        false as is_new_participant,
        true as is_engaged
    from engaged_months
),

cohort as (
    select
        contact_id,
        month_start,
        {{ dbt.bool_or('is_new_participant') }} as is_new_participant,
        {{ dbt.bool_or('is_engaged') }} as is_engaged
    from cohort_flags
    group by contact_id, month_start
),

{# The last call session up to each cohort month's end: a running maximum over the member's
    months, with the months that hold calls interleaved. -#}
member_months as (
    select
        contact_id,
        month_start,
        is_new_participant,
        is_engaged,
        cast(null as {{ type_timestamptz() }}) as last_call_in_month,
        true as is_cohort_row
    from cohort
    union all
    select
        contact_id,
        month_start,
        null as is_new_participant,
        null as is_engaged,
        last_call_session_at as last_call_in_month,
        false as is_cohort_row
    from monthly_calls
),

with_last_call as (
    select
        *,
        max(last_call_in_month) over (
            partition by contact_id
            order by month_start
            range between unbounded preceding and current row
        ) as last_call_session_at
    from member_months
),

final as (
    select
        {{ iso_month('with_last_call.month_start') }} as month,
        with_last_call.month_start,
        with_last_call.contact_id,
        members.external_id,
        members.name,
        members.email,
        members.employer,
        members.enrolled_date,
        with_last_call.last_call_session_at,
        {{ local_date('with_last_call.last_call_session_at') }} as last_call_session_date,
        with_last_call.is_new_participant,
        with_last_call.is_engaged
    from with_last_call
    inner join members
        on members.contact_id = with_last_call.contact_id
    where with_last_call.is_cohort_row
        and with_last_call.month_start <= {{ month_start(as_of_date()) }}
)

{# Stored in month order, so that filtering one month reads only that month's blocks. -#}
select * from final
order by month_start, contact_id

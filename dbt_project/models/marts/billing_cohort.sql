{#- One row per calendar month (program time zone) and member who is a new participant (Enrolled
    Date in the month) and/or engaged during it (a call session on a date from the month's first
    day minus at_risk_days to its last day). Test employers are excluded. -#}
with

members as (
    select * from {{ ref('int_contacts') }}
    where is_user and not coalesce(is_test_employer, false)
),

call_sessions as (
    select contact_id, session_at, session_date
    from {{ ref('int_member_sessions') }}
    where is_call_session
),

{#- A call session on date d engages its member in every month whose first day is at most
    at_risk_days after d, starting with d's own month; months are at least 28 days long, so
    at_risk_days // 28 + 1 following months bound the search. -#}
month_offsets as (
    {%- for offset in range((var('at_risk_days') | int) // 28 + 2) %}
    select {{ offset }} as month_offset
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
),

engaged_months as (
    select distinct
        call_sessions.contact_id,
        {{ add_months(month_start('call_sessions.session_date'), 'month_offsets.month_offset') }} as month_start
    from call_sessions
    cross join month_offsets
    where {{ add_months(month_start('call_sessions.session_date'), 'month_offsets.month_offset') }}
        <= {{ add_days('call_sessions.session_date', var('at_risk_days')) }}
),

new_participant_months as (
    select contact_id, {{ month_start('enrolled_date') }} as month_start
    from members
    where enrolled_date is not null
),

cohort_keys as (
    select contact_id, month_start from engaged_months
    union
    select contact_id, month_start from new_participant_months
),

monthly_last_call as (
    select
        contact_id,
        {{ month_start('session_date') }} as month_start,
        max(session_at) as last_call_session_at
    from call_sessions
    group by contact_id, {{ month_start('session_date') }}
),

last_call_by_month_end as (
    select
        cohort_keys.contact_id,
        cohort_keys.month_start,
        max(monthly_last_call.last_call_session_at) as last_call_session_at
    from cohort_keys
    inner join monthly_last_call
        on monthly_last_call.contact_id = cohort_keys.contact_id
        and monthly_last_call.month_start <= cohort_keys.month_start
    group by cohort_keys.contact_id, cohort_keys.month_start
),

final as (
    select
        {{ iso_month('cohort_keys.month_start') }} as month,
        cohort_keys.month_start,
        cohort_keys.contact_id,
        members.external_id,
        members.name,
        members.email,
        members.employer,
        members.enrolled_date,
        last_call_by_month_end.last_call_session_at,
        {{ local_date('last_call_by_month_end.last_call_session_at') }} as last_call_session_date,
        new_participant_months.contact_id is not null as is_new_participant,
        engaged_months.contact_id is not null as is_engaged
    from cohort_keys
    inner join members
        on members.contact_id = cohort_keys.contact_id
    left join new_participant_months
        on new_participant_months.contact_id = cohort_keys.contact_id
        and new_participant_months.month_start = cohort_keys.month_start
    left join engaged_months
        on engaged_months.contact_id = cohort_keys.contact_id
        and engaged_months.month_start = cohort_keys.month_start
    left join last_call_by_month_end
        on last_call_by_month_end.contact_id = cohort_keys.contact_id
        and last_call_by_month_end.month_start = cohort_keys.month_start
    where cohort_keys.month_start <= {{ month_start(as_of_date()) }}
)

select * from final

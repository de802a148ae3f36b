{#- Coaching sessions in a window (sessions_window), an inclusive date range, and lists of coaches,
    channels, employers and excluded employers (null = no filter; a member without an employer is
    no excluded one). One row per session and member, the columns of coaching_sessions. -#}
{{ config(
    materialized='table_function',
    parameters=[
        'window_days integer', 'date_from date', 'date_to date',
        'coach_id_list text[]', 'channel_list text[]',
        'employer_list text[]', 'excluded_employer_list text[]'
    ]
) }}
with

coaching_sessions as (
    select * from {{ function_ref('coaching_sessions') }}
),

asked as (
    select
        lookback_days,
        date_from as first_date,
        date_to as last_date,
        coach_id_list as coach_ids,
        channel_list as channels,
        employer_list as employers,
        excluded_employer_list as excluded_employers
    from {{ function_ref('sessions_window') }}(window_days, date_from, date_to)
),

final as (
    select coaching_sessions.*
    from coaching_sessions
    cross join asked
    where
        (asked.lookback_days is null or coaching_sessions.days_since <= asked.lookback_days)
        and (asked.first_date is null or coaching_sessions.session_date >= asked.first_date)
        and (asked.last_date is null or coaching_sessions.session_date <= asked.last_date)
        and (asked.coach_ids is null or coaching_sessions.coach_id = any(asked.coach_ids))
        and (asked.channels is null or coaching_sessions.channel = any(asked.channels))
        and (asked.employers is null or coaching_sessions.employer = any(asked.employers))
        and (
            asked.excluded_employers is null
            or coaching_sessions.employer is null
            or not coaching_sessions.employer = any(asked.excluded_employers)
        )
)

select * from final

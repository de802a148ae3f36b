{#- One row: the clock and constants this build used. The CLI and write-back read it instead of
    restating any of them. -#}
with

info as (
    select
        {{ as_of_date() }} as as_of_date,
        {{ month_start(as_of_date()) }} as as_of_month_start,
        {{ add_months(month_start(as_of_date()), -1) }} as previous_month_start,
        {{ as_of_instant() }} as as_of_instant,
        cast({{ as_of_unix_seconds() }} as {{ dbt.type_bigint() }}) as as_of_unix_seconds,
        '{{ program_timezone() }}' as program_timezone,
        {{ built_at() }} as built_at,
        {{ lookback_days() }} as lookback_days,
        {{ var('max_lookback_days') }} as max_lookback_days,
        {#- enrolled_participants holds the build's window: a shorter one is a filter of it. #}
        {{ lookback_days() }} as participants_max_lookback_days,
        {{ var('recent_days') }} as recent_days,
        {{ var('engaged_days') }} as engaged_days,
        {{ var('at_risk_days') }} as at_risk_days,
        {{ var('no_session_watch_days') }} as no_session_watch_days,
        {{ var('no_session_alert_days') }} as no_session_alert_days,
        '{{ target.type }}' as warehouse_type,
        '{{ dbt_version }}' as dbt_version
)

select * from info

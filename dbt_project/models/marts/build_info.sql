{#- One row: the clock and constants this build used. The CLI and write-back read it instead of
    restating any of them. -#}
with

info as (
    select
        {{ as_of_date() }} as as_of_date,
        {{ as_of_instant() }} as as_of_instant,
        cast({{ as_of_unix_seconds() }} as {{ dbt.type_bigint() }}) as as_of_unix_seconds,
        '{{ program_timezone() }}' as program_timezone,
        {{ built_at() }} as built_at,
        {{ lookback_days() }} as lookback_days,
        {{ var('max_lookback_days') }} as max_lookback_days,
        {{ var('recent_days') }} as recent_days,
        {{ var('engaged_days') }} as engaged_days,
        {{ var('at_risk_days') }} as at_risk_days,
        {{ var('no_session_watch_days') }} as no_session_watch_days,
        {{ var('no_session_alert_days') }} as no_session_alert_days,
        '{{ target.type }}' as warehouse_type,
        '{{ dbt_version }}' as dbt_version
)

select * from info

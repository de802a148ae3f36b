{#- The window of the sessions report, one row: the lookback asked for; with none and no date
    range, the build's lookback (var lookback_days); with a date range alone, none (null): the
    range bounds the sessions. -#}
{{ config(
    materialized='table_function',
    parameters=['window_days integer', 'date_from date', 'date_to date']
) }}
with

asked as (
    select
        window_days as asked_days,
        date_from is null and date_to is null as is_undated
),

final as (
    select
        coalesce(
            asked_days,
            case when is_undated then {{ lookback_days() }} end
        ) as lookback_days
    from asked
)

select * from final

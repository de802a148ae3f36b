{#- Engagement status per member and as-of date, one batch per build. Keyed by as-of date: a
    rebuild for the same date replaces that date's rows (idempotent) and a build for a past date
    touches only that date. Nothing here is derived from neighbouring dates, so filling in a past
    date never changes later rows. `full_refresh: false` keeps the history through --full-refresh. -#}
{{
    config(
        materialized='incremental',
        unique_key='as_of_date',
        incremental_strategy='delete+insert',
        full_refresh=false,
        on_schema_change='fail',
        meta={'changed_keys': {'as_of_date': 'as_of_date'}},
    )
}}

with

status as (
    select * from {{ ref('int_engagement_status') }}
    where engagement_status is not null
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        contact_id,
        engagement_status,
        status_basis,
        days_since_enrolled,
        days_since_last_qualifying_call,
        {{ built_at() }} as built_at
    from status
)

select * from final

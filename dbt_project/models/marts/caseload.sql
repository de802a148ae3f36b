{#- Members with a coaching session in the build's lookback window (var lookback_days). The rollup
    is the macro caseload_rollup; another window, coach or channel is the table function
    caseload_for over the same macro. Incremental: the rows of the members of changed
    conversations and of changed contacts are replaced; every row when the as-of date moved. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed() }}",
    meta={'changed_keys': {'contact_id': 'members'}, 'dated': true},
) }}
{%- set changed = changed_keys('members') %}
{%- set where_changed = "where " ~ is_changed('contact_id', changed, dated=true) %}
{{ caseload_rollup(
    sessions="(select * from " ~ ref('coaching_sessions') ~ " " ~ where_changed ~ ") as coaching_sessions",
    members="(select * from " ~ ref('members') ~ " " ~ where_changed ~ ") as members",
    window_days=lookback_days()
) }}

{#- The caseload over any window, coaches and channels: `select * from caseload_for(28, null, null)`
    (DuckDB lists ['5412439'], PostgreSQL arrays array['5412439']; null = no filter). The same
    macro as the caseload mart, so caseload_for(<build lookback>, null, null) is that mart. -#}
{{ config(
    materialized='table_function',
    parameters=['window_days integer', 'coach_id_list text[]', 'channel_list text[]']
) }}
{{ caseload_rollup(
    sessions=function_ref('coaching_sessions'),
    members=function_ref('members'),
    window_days='window_days',
    coach_ids='coach_id_list',
    channels='channel_list'
) }}

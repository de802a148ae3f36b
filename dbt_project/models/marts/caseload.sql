{#- Members with a coaching session in the build's lookback window (var lookback_days). The rollup
    is the macro caseload_rollup; another window, coach or channel is the table function
    caseload_for over the same macro. -#}
{{ caseload_rollup(
    sessions=ref('coaching_sessions'),
    members=ref('members'),
    window_days=lookback_days()
) }}

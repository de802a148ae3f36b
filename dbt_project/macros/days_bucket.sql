{#
  Label a whole number of days with buckets cut at `edges` (ascending):
  days_bucket('d', [7, 28, 56]) gives '≤7', '8–28', '29–56', '>56'.
  Both reports that bucket days use this one macro, so the labels cannot drift.
#}
{% macro days_bucket(days, edges) -%}
    case
    {%- for edge in edges %}
        {%- if loop.first %}
        when {{ days }} <= {{ edge }} then '≤{{ edge }}'
        {%- else %}
        when {{ days }} <= {{ edge }} then '{{ edges[loop.index0 - 1] + 1 }}–{{ edge }}'
        {%- endif %}
    {%- endfor %}
        when {{ days }} > {{ edges[-1] }} then '>{{ edges[-1] }}'
    end
{%- endmacro %}

{% macro caseload_bucket_edges() -%}
    {{ return([var('recent_days') | int, var('engaged_days') | int, var('at_risk_days') | int]) }}
{%- endmacro %}

{% macro no_session_bucket_edges() -%}
    {{ return([var('no_session_watch_days') | int, var('no_session_alert_days') | int, var('engaged_days') | int]) }}
{%- endmacro %}

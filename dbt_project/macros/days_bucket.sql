{#
  Buckets of whole days cut at `edges` (ascending): edges [7, 28, 56] give '≤7', '8–28', '29–56'
  and '>56'. Both reports that bucket days label them with days_bucket, and the mart day_buckets
  lists the same labels in order (from day_bucket_list), so the labels cannot drift.
#}

{#- The buckets of `edges`, in order: [{label, min_days, max_days}], none for an open end. -#}
{% macro day_bucket_list(edges) -%}
    {%- set buckets = [] -%}
    {%- for edge in edges -%}
        {%- if loop.first -%}
            {%- do buckets.append({'label': '≤' ~ edge, 'min_days': none, 'max_days': edge}) -%}
        {%- else -%}
            {%- set low = edges[loop.index0 - 1] + 1 -%}
            {%- do buckets.append({'label': low ~ '–' ~ edge, 'min_days': low, 'max_days': edge}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do buckets.append({'label': '>' ~ edges[-1], 'min_days': edges[-1] + 1, 'max_days': none}) -%}
    {{ return(buckets) }}
{%- endmacro %}

{#- The label of a whole number of days. -#}
{% macro days_bucket(days, edges) -%}
    case
    {%- for bucket in day_bucket_list(edges) %}
        {%- if bucket.max_days is not none %}
        when {{ days }} <= {{ bucket.max_days }} then '{{ bucket.label }}'
        {%- else %}
        when {{ days }} > {{ edges[-1] }} then '{{ bucket.label }}'
        {%- endif %}
    {%- endfor %}
    end
{%- endmacro %}

{#- Every bucket of the marts' bucketed columns: [{column, label, order, min_days, max_days}]. -#}
{% macro day_bucket_rows() -%}
    {%- set columns = {'recency_bucket': caseload_bucket_edges(), 'no_session_bucket': no_session_bucket_edges()} -%}
    {%- set rows = [] -%}
    {%- for column, edges in columns.items() -%}
        {%- for bucket in day_bucket_list(edges) -%}
            {%- do rows.append({
                'column': column, 'order': loop.index, 'label': bucket.label,
                'min_days': bucket.min_days, 'max_days': bucket.max_days
            }) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(rows) }}
{%- endmacro %}

{% macro caseload_bucket_edges() -%}
    {{ return([var('recent_days') | int, var('engaged_days') | int, var('at_risk_days') | int]) }}
{%- endmacro %}

{% macro no_session_bucket_edges() -%}
    {{ return([var('no_session_watch_days') | int, var('no_session_alert_days') | int, var('engaged_days') | int]) }}
{%- endmacro %}

{#
  The caseload, written once: members with a coaching session in the window, their latest
  session, session count, channel combination, coaches and recency bucket (glossary: Caseload).
  The `caseload` mart renders it with the build's window; the `caseload_for` table function with
  its parameters, so a report over another window, coach or channel runs this same SQL.

  `sessions`, `members`: the relations to read; `window_days`: an SQL expression for the lookback;
  `coach_ids`, `channels`: SQL expressions for lists (null = every coach / channel), or none to
  leave the filter out.
#}
{% macro caseload_rollup(sessions, members, window_days, coach_ids=none, channels=none) -%}
with

sessions_in_window as (
    select * from {{ sessions }}
    where
        days_since <= {{ window_days }}
        {%- if coach_ids is not none %}
        and ({{ coach_ids }} is null or coach_id = any({{ coach_ids }}))
        {%- endif %}
        {%- if channels is not none %}
        and ({{ channels }} is null or channel = any({{ channels }}))
        {%- endif %}
),

members as (
    select contact_id, external_id, name, employer from {{ members }}
),

channels_used as (
    select distinct contact_id, channel from sessions_in_window
),

coaches as (
    select distinct contact_id, coach_id, coach_name
    from sessions_in_window
    where coach_id is not null
),

channel_combinations as (
    select
        contact_id,
        count(*) as channel_count,
        {{ dbt.listagg('channel', "' + '", 'order by channel') }} as channel_combination
    from channels_used
    group by contact_id
),

coach_lists as (
    select
        contact_id,
        {{ dbt.listagg('coach_id', "'; '", 'order by coach_name, coach_id') }} as coach_ids,
        {{ dbt.listagg('coach_name', "'; '", 'order by coach_name, coach_id') }} as coach_names
    from coaches
    group by contact_id
),

latest as (
    select
        contact_id,
        max(session_at) as last_session_at,
        max(session_date) as last_session_date,
        min(days_since) as days_since_last_session,
        count(distinct conversation_id) as session_count
    from sessions_in_window
    group by contact_id
),

final as (
    select
        latest.contact_id,
        members.external_id,
        members.name,
        members.employer,
        latest.last_session_at,
        latest.last_session_date,
        latest.days_since_last_session,
        {{ days_bucket('latest.days_since_last_session', caseload_bucket_edges()) }} as recency_bucket,
        latest.session_count,
        channel_combinations.channel_count,
        channel_combinations.channel_combination,
        coach_lists.coach_ids,
        coach_lists.coach_names
    from latest
    inner join members
        on members.contact_id = latest.contact_id
    inner join channel_combinations
        on channel_combinations.contact_id = latest.contact_id
    left join coach_lists
        on coach_lists.contact_id = latest.contact_id
)

select * from final
{%- endmacro %}

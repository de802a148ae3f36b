{#- The engagement export, one row per member, CSV-ready: what Intercom holds once write-back has
    applied contact_attribute_targets. Dates are ISO 8601; instants as their local date.
    Incremental: the rows of the members of changed conversations and of changed
    contacts are replaced; every row when the as-of date moved. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed() }}",
    meta={'changed_keys': {'contact_id': 'members'}, 'dated': true},
) }}
{%- set changed = changed_keys('members') %}
with

members as (
    select * from {{ ref('members') }}
    where {{ is_changed('contact_id', changed, dated=true) }}
),

targets as (
    select * from {{ ref('contact_attribute_targets') }}
    where {{ is_changed('contact_id', changed, dated=true) }}
),

{# The value each maintained attribute will hold: the desired one when an update is due, else
    the current valid one. -#}
resulting_value_rows as (
    select
        contact_id,
        attribute,
        coalesce(desired_value, case when current_status = 'valid' then current_value end)
            as resulting_value
    from targets
),

resulting_values as (
    select
        contact_id,
        max(case when attribute = 'Engagement Status Date' then resulting_value end)
            as status_date_seconds,
        max(case when attribute = 'Eligible Programs' then resulting_value end) as eligible_programs
    from resulting_value_rows
    group by contact_id
),

final as (
    select
        members.contact_id,
        members.external_id as employee_id,
        members.name_first,
        members.name_last,
        {{ iso_date('members.date_of_birth') }} as member_dob,
        members.employer as group_description,
        {{ iso_date(local_date('members.last_qualifying_call_at')) }} as last_coaching_session,
        members.engagement_status as program_status,
        {{ iso_date(local_date(unix_to_timestamptz(
            'cast(resulting_values.status_date_seconds as ' ~ dbt.type_bigint() ~ ')'
        ))) }} as status_date,
        resulting_values.eligible_programs,
        members.registration_code
    from members
    left join resulting_values
        on resulting_values.contact_id = members.contact_id
)

select * from final

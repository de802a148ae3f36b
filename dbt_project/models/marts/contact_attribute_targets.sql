{#- What write-back does: per user contact and maintained attribute, the current value, the desired
    value (both as text in Intercom's encoding) and whether an update is needed. Write-back sends
    `desired_value` for rows with `needs_update`, converting by `data_type`, and has no rule of its
    own.
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

current_values as (
    select * from {{ ref('int_contact_attribute_values') }}
    where is_maintained and {{ is_changed('contact_id', changed, dated=true) }}
),

desired_values as (
    select * from {{ ref('int_attribute_desired_values') }}
    where {{ is_changed('contact_id', changed, dated=true) }}
),

members as (
    select
        contact_id,
        external_id
    from {{ ref('int_contacts') }}
    where is_user and {{ is_changed('contact_id', changed, dated=true) }}
),

compared as (
    select
        current_values.contact_id,
        members.external_id,
        current_values.attribute,
        current_values.data_type,
        current_values.value_kind,
        current_values.value_text as current_value,
        current_values.value_status as current_status,
        case
            when
                current_values.data_type = 'date'
                then cast(current_values.value_seconds as {{ dbt.type_string() }})
            else current_values.value_string
        end as current_canonical,
        desired_values.desired_value,
        desired_values.no_desired_reason
    from current_values
    inner join members
        on members.contact_id = current_values.contact_id
    inner join desired_values
        on desired_values.contact_id = current_values.contact_id
        and desired_values.attribute = current_values.attribute
),

decided as (
    select
        *,
        desired_value is not null
        and (desired_value is distinct from current_canonical) as needs_update
    from compared
),

{# Readable forms: instants as their local date in the program time zone, calendar dates as
    their UTC date, text as is. A dirty current value shows as received. -#}
displayed as (
    select
        *,
        case
            when current_canonical is null then current_value
            when
                value_kind = 'instant'
                then {{ iso_date(local_date(unix_to_timestamptz(
                    'cast(current_canonical as ' ~ dbt.type_bigint() ~ ')'
                ))) }}
            else current_canonical
        end as current_display,
        case
            when desired_value is null then null
            when
                value_kind = 'instant'
                then {{ iso_date(local_date(unix_to_timestamptz(
                    'cast(desired_value as ' ~ dbt.type_bigint() ~ ')'
                ))) }}
            else desired_value
        end as desired_display
    from decided
),

final as (
    select
        contact_id,
        external_id,
        attribute,
        data_type,
        current_value,
        current_status,
        desired_value,
        needs_update,
        current_display,
        desired_display,
        case
            when needs_update then coalesce(current_display, '(none)') || ' → ' || desired_display
        end as change_label,
        no_desired_reason
    from displayed
)

select * from final

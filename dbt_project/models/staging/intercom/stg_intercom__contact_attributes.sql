{#- One row per contact and custom attribute key present on it, value as received. Typing against
    the attributes the product expects happens in int_contact_attribute_values. Incremental: the
    rows of the contacts changed since the last build are replaced (macros/incremental.sql). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed() }}",
    meta={'changed_keys': {'contact_id': 'contacts'}},
) }}
{%- set changed = changed_keys('contacts') %}

with

contacts as (
    select
        contact_id,
        custom_attributes_json
    from {{ ref('base_intercom__contacts') }}
    where not is_deleted
        and {{ is_changed('contact_id', changed) }}
),

attribute_values as (
    select
        contacts.contact_id,
        entry.key as attribute,
        {{ json_kind('entry.value') }} as value_json_kind,
        {{ json_value_text('entry.value') }} as value_text
    from contacts
    {{ json_object_entries('contacts.custom_attributes_json', 'entry') }}
)

select * from attribute_values

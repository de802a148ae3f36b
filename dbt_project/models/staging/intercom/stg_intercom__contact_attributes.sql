{#- One row per contact and custom attribute key present on it, value as received. Typing against
    the attributes the product expects happens in int_contact_attribute_values. -#}
with

contacts as (
    select * from {{ ref('base_intercom__contacts') }}
),

attribute_values as (
    select
        contacts.contact_id,
        entry.key as attribute,
        {{ json_kind('entry.value') }} as value_json_kind,
        {{ json_value_text('entry.value') }} as value_text
    from contacts
    {{ json_object_entries(json_get('contacts.record', ['custom_attributes']), 'entry') }}
)

select * from attribute_values

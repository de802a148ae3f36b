{#- One row per contact (users and leads) with its attributes typed and validated: the one place
    that maps Intercom attribute names to columns. Incremental: the rows of changed contacts are
    replaced. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed() }}",
    meta={'changed_keys': {'contact_id': 'contacts'}},
) }}
{%- set changed = changed_keys('contacts') %}

with

contacts as (
    select * from {{ ref('stg_intercom__contacts') }}
    where {{ is_changed('contact_id', changed) }}
),

attribute_values as (
    select * from {{ ref('int_contact_attribute_values') }}
    where {{ is_changed('contact_id', changed) }}
),

test_employers as (
    select employer from {{ ref('test_employers') }}
),

attributes_by_contact as (
    select
        contact_id,
        max(case when attribute = 'Enrolled Date' then value_date end) as enrolled_date,
        max(case when attribute = 'Registration Date' then value_date end) as registration_date,
        max(case when attribute = 'Date of Birth' then value_date end) as date_of_birth,
        max(case when attribute = 'Employer' then value_string end) as employer,
        max(case when attribute = 'Referral' then value_string end) as referral,
        max(case when attribute = 'Registration Code' then value_string end) as registration_code,
        max(case when attribute = 'Last Coaching Session' then value_at end)
            as current_last_coaching_session_at,
        max(case when attribute = 'First Session Date' then value_at end)
            as current_first_session_at,
        max(case when attribute = 'Last Call' then value_at end) as current_last_call_at,
        max(case when attribute = 'Engagement Status' then value_string end)
            as current_engagement_status,
        max(case when attribute = 'Engagement Status Date' then value_at end)
            as current_engagement_status_at,
        max(case when attribute = 'Eligible Programs' then value_string end)
            as current_eligible_programs
    from attribute_values
    group by contact_id
),

named as (
    select
        contact_id,
        {{ clean_text('name') }} as full_name
    from contacts
),

joined as (
    select
        contacts.contact_id,
        contacts.external_id,
        contacts.role,
        contacts.role = 'user' as is_user,
        contacts.email,
        named.full_name as name,
        {{ first_word('named.full_name') }} as name_first,
        {{ last_word('named.full_name') }} as name_last,
        attributes_by_contact.employer,
        attributes_by_contact.employer in (select test_employers.employer from test_employers)
            as is_test_employer,
        attributes_by_contact.referral,
        attributes_by_contact.registration_code,
        attributes_by_contact.enrolled_date,
        attributes_by_contact.registration_date,
        attributes_by_contact.date_of_birth,
        attributes_by_contact.current_last_coaching_session_at,
        attributes_by_contact.current_first_session_at,
        attributes_by_contact.current_last_call_at,
        attributes_by_contact.current_engagement_status,
        attributes_by_contact.current_engagement_status_at,
        attributes_by_contact.current_eligible_programs,
        contacts.created_at
    from contacts
    inner join named
        on named.contact_id = contacts.contact_id
    left join attributes_by_contact
        on attributes_by_contact.contact_id = contacts.contact_id
)

select * from joined

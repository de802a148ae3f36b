{#- One row per member (user contact), as analysts and reports read them. Incremental: the rows
    of the members of changed conversations and of changed contacts are replaced; every row when
    the as-of date moved. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed() }}",
    meta={'changed_keys': {'contact_id': 'members'}, 'dated': true},
) }}
{%- set changed = changed_keys('members') %}

with

members as (
    select * from {{ ref('int_members') }}
    where {{ is_changed('contact_id', changed, dated=true) }}
),

final as (
    select
        contact_id,
        external_id,
        name,
        name_first,
        name_last,
        email,
        employer,
        is_test_employer,
        referral,
        registration_code,
        enrolled_date,
        registration_date,
        date_of_birth,
        first_qualifying_call_at,
        last_qualifying_call_at,
        last_phone_call_at as last_call_at,
        last_coaching_session_at,
        last_call_session_at,
        coaching_session_count,
        last_coach_id,
        last_coach_name,
        days_since_enrolled,
        days_since_last_qualifying_call,
        engagement_status,
        status_basis,
        created_at
    from members
)

select * from final

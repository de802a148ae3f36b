{#- The maintained attributes' rules (glossary: Maintained attributes): one row per user contact and
    maintained attribute with the desired value in Intercom's encoding (unix seconds for dates,
    text otherwise), or null and the reason there is none. Dirty current values are already null
    in int_members, so they never feed a desired value.
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

member_facts as (
    select * from {{ ref('int_members') }}
    where {{ is_changed('contact_id', changed, dated=true) }}
),

referral_programs as (
    select * from {{ ref('referral_programs') }}
),

{#- Last Coaching Session and Last Call: the latest instant of their kind; without one there is
    no desired value (an existing value is never cleared). -#}
{%- set latest_instant_rules = [
    ('last_coaching_session', 'Last Coaching Session', 'last_qualifying_call_at', 'no qualifying coaching call'),
    ('last_call', 'Last Call', 'last_phone_call_at', 'no phone call'),
] %}
{%- for cte, attribute, latest, reason in latest_instant_rules %}
{{ cte }} as (
    select
        contact_id,
        '{{ attribute }}' as attribute,
        {{ unix_seconds_text(latest) }} as desired_value,
        case when {{ latest }} is null then '{{ reason }}' end as no_desired_reason
    from member_facts
),
{% endfor %}
first_session_date as (
    select
        contact_id,
        'First Session Date' as attribute,
        case
            when current_first_session_at is null
                and (enrolled_date is not null or registration_date is not null)
                then {{ unix_seconds_text('first_qualifying_call_at') }}
        end as desired_value,
        case
            when
                current_first_session_at is not null
                then 'already set; First Session Date is never changed'
            when
                enrolled_date is null and registration_date is null
                then 'no valid Enrolled Date or Registration Date'
            when first_qualifying_call_at is null then 'no qualifying coaching call'
        end as no_desired_reason
    from member_facts
),

engagement_status as (
    select
        contact_id,
        'Engagement Status' as attribute,
        engagement_status as desired_value,
        case when engagement_status is null then 'no valid Enrolled Date' end as no_desired_reason
    from member_facts
),

engagement_status_date as (
    select
        contact_id,
        'Engagement Status Date' as attribute,
        case
            when
                (engagement_status is distinct from current_engagement_status)
                and engagement_status is not null
                then cast({{ as_of_unix_seconds() }} as {{ dbt.type_string() }})
        end as desired_value,
        case
            when engagement_status is null then 'no valid Enrolled Date'
            when engagement_status = current_engagement_status then 'Engagement Status unchanged'
        end as no_desired_reason
    from member_facts
),

listed_programs as (
    select
        contact_id,
        trim(program) as program
    from (
        select
            contact_id,
            unnest(string_to_array(current_eligible_programs, ';')) as program
        from member_facts
        where current_eligible_programs is not null
    ) as split_lists
),

current_programs as (
    select distinct
        contact_id,
        program
    from listed_programs
    where program <> ''
),

mapped_programs as (
    select distinct
        member_facts.contact_id,
        referral_programs.program
    from member_facts
    inner join referral_programs
        on referral_programs.referral = member_facts.referral
),

programs_to_add as (
    select
        contact_id,
        program
    from mapped_programs
    except
    select
        contact_id,
        program
    from current_programs
),

merged_programs as (
    select
        contact_id,
        program
    from current_programs
    where contact_id in (select programs_to_add.contact_id from programs_to_add)
    union
    select
        contact_id,
        program
    from programs_to_add
),

merged_lists as (
    select
        contact_id,
        {{ dbt.listagg('program', "'; '", 'order by program') }} as program_list
    from merged_programs
    group by contact_id
),

eligible_programs as (
    select
        member_facts.contact_id,
        'Eligible Programs' as attribute,
        merged_lists.program_list as desired_value,
        case
            when merged_lists.program_list is not null then null
            when member_facts.contact_id in (select mapped_programs.contact_id from mapped_programs)
                then 'already lists every program its Referral maps to'
            else 'no referral rule applies'
        end as no_desired_reason
    from member_facts
    left join merged_lists
        on merged_lists.contact_id = member_facts.contact_id
),

all_attributes as (
    select * from last_coaching_session
    union all
    select * from first_session_date
    union all
    select * from last_call
    union all
    select * from engagement_status
    union all
    select * from engagement_status_date
    union all
    select * from eligible_programs
)

select * from all_attributes

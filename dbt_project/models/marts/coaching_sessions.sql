{#- One row per coaching session and member on it. Incremental: the rows of changed conversations
    (and of those listing a changed contact) and of changed contacts are replaced; every row when
    the as-of date moved (days_since). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed() }}",
    meta={'changed_keys': {'conversation_id': 'conversation_members', 'contact_id': 'contacts'}, 'dated': true},
) }}
{%- set changed_conversations = changed_keys('conversation_members') %}
{%- set changed_contacts = changed_keys('contacts') %}

with

member_sessions as (
    select * from {{ ref('int_member_sessions') }}
    where is_coaching_session
        and (
            {{ is_changed('conversation_id', changed_conversations, dated=true) }}
            or {{ is_changed('contact_id', changed_contacts, dated=true) }}
        )
),

members as (
    select
        contact_id,
        external_id,
        employer
    from {{ ref('int_contacts') }}
),

dated as (
    select
        *,
        -- days_between expands to more than 100 characters.
        {{ days_between('session_date', as_of_date()) }} as days_since -- noqa: LT05
    from member_sessions
),

final as (
    select
        dated.conversation_id,
        dated.contact_id,
        members.external_id,
        dated.session_at,
        dated.session_date,
        {{ iso_month('dated.session_date') }} as session_month,
        dated.days_since,
        {{ days_bucket('dated.days_since', caseload_bucket_edges()) }} as recency_bucket,
        dated.channel,
        dated.service_code,
        dated.coach_id,
        dated.coach_name,
        members.employer,
        dated.is_call_session,
        dated.is_qualifying_call
    from dated
    inner join members
        on members.contact_id = dated.contact_id
)

{# Stored in date order, so that a window or date range reads only its own blocks (an incremental
    build appends its few rows at the end; the next full build orders them again). -#}
select * from final
order by session_date, conversation_id

{{ config(materialized='view') }}

with

conversations as (
    select * from {{ ref('base_intercom__conversations') }}
),

current_conversations as (
    select
        conversation_id,
        created_at,
        updated_at,
        state,
        admin_assignee_id,
        team_assignee_id,
        first_teammate_id,
        last_close_at,
        channel_raw,
        service_code_raw,
        contact_count
    from conversations
    where not is_deleted
)

select * from current_conversations

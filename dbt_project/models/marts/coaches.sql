{#- The coaches of coaching sessions (glossary: Coach of a session): the ids and names a report's
    coach filter accepts. -#}
with

sessions as (
    select
        conversation_id,
        coach_id,
        coach_name
    from {{ ref('coaching_sessions') }}
    where coach_id is not null
),

final as (
    select
        coach_id,
        coach_name,
        count(distinct conversation_id) as session_count
    from sessions
    group by coach_id, coach_name
)

select * from final

with

latest as (
    {{ latest_versions('teams') }}
),

teams as (
    select
        id as team_id,
        {{ json_text('record', ['name']) }} as name,
        {{ json_array_length(json_get('record', ['admin_ids'])) }} as admin_count
    from latest
    where not is_deleted
)

select * from teams

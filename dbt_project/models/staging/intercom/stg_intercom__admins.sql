with

latest as (
    {{ latest_versions('admins') }}
),

admins as (
    select
        id as admin_id,
        {{ json_text('record', ['name']) }} as name,
        {{ json_text('record', ['email']) }} as email,
        {{ json_text('record', ['job_title']) }} as job_title
    from latest
    where not is_deleted
)

select * from admins

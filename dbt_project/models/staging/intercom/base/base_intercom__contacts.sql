with

latest as (
    {{ latest_versions('contacts') }}
),

current_contacts as (
    select
        id as contact_id,
        record,
        loaded_at
    from latest
    where not is_deleted
)

select * from current_contacts

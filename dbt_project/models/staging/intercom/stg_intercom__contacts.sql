with

contacts as (
    select * from {{ ref('base_intercom__contacts') }}
),

current_contacts as (
    select
        contact_id,
        external_id,
        role,
        email,
        name,
        created_at,
        updated_at,
        loaded_at
    from contacts
    where not is_deleted
)

select * from current_contacts

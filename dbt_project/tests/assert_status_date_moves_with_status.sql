-- Engagement Status Date is desired exactly when Engagement Status changes.
with

targets as (
    select * from {{ ref('contact_attribute_targets') }}
),

status as (
    select
        contact_id,
        needs_update
    from targets
    where attribute = 'Engagement Status'
),

status_date as (
    select
        contact_id,
        desired_value
    from targets
    where attribute = 'Engagement Status Date'
)

select status.contact_id
from status
inner join status_date
    on status_date.contact_id = status.contact_id
where status.needs_update <> (status_date.desired_value is not null)

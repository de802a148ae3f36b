-- First Session Date: an existing valid value is never changed.
select *
from {{ ref('contact_attribute_targets') }}
where attribute = 'First Session Date'
    and current_status = 'valid'
    and (needs_update or desired_value is not null)

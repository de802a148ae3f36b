-- An update is due only towards a desired value; a row whose rule gives none never updates.
select *
from {{ ref('contact_attribute_targets') }}
where needs_update and desired_value is null

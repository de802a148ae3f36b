-- Nothing dated after the as-of date counts: builds for a past date are reproducible.
select
    conversation_id,
    contact_id,
    session_date
from {{ ref('int_member_sessions') }}
where session_date > {{ as_of_date() }}

-- The caseload is exactly the members of coaching_sessions within the lookback window, with
-- their latest session: so another window is the same group-by with another filter.
with

from_sessions as (
    select contact_id, max(session_at) as last_session_at, count(distinct conversation_id) as session_count
    from {{ ref('coaching_sessions') }}
    where days_since <= {{ lookback_days() }}
    group by contact_id
),

caseload as (
    select contact_id, last_session_at, session_count from {{ ref('caseload') }}
)

select * from (select * from from_sessions except select * from caseload) as missing_from_caseload
union all
select * from (select * from caseload except select * from from_sessions) as extra_in_caseload

{#- The Employer values of members: what a report's employer filters accept. -#}
with

members as (
    select
        contact_id,
        employer
    from {{ ref('members') }}
    where employer is not null
),

final as (
    select
        employer,
        count(*) as member_count
    from members
    group by employer
)

select * from final

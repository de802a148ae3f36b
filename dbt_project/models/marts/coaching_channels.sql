{#- The coaching channels (seed channels): what a report's channel filter accepts. -#}
with

channels as (
    select * from {{ ref('channels') }}
),

final as (
    select channel
    from channels
    where is_coaching_channel
)

select * from final

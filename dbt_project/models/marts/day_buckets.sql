{#- The labels of the bucketed columns (recency_bucket, no_session_bucket) in day order, with the
    days each covers: reports order their cards by bucket_order instead of sorting labels. -#}
with

buckets as (
    {%- for row in day_bucket_rows() %}
    select
        '{{ row.column }}' as bucket_column,
        '{{ row.label }}' as bucket,
        {{ row.order }} as bucket_order,
        cast({{ row.min_days if row.min_days is not none else 'null' }} as integer) as min_days,
        cast({{ row.max_days if row.max_days is not none else 'null' }} as integer) as max_days
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select * from buckets
)

select * from final

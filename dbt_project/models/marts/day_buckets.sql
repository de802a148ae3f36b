{#- The labels of the bucketed columns (recency_bucket, no_session_bucket) in day order, with the
    days each covers: reports order their cards by bucket_order instead of sorting labels. -#}
with

buckets as (
    {%- for column, edges in day_bucket_columns().items() %}
        {%- set outer = loop %}
        {%- for bucket in day_bucket_list(edges) %}
    select
        '{{ column }}' as bucket_column,
        '{{ bucket.label }}' as bucket,
        {{ loop.index }} as bucket_order,
        cast({{ bucket.min_days if bucket.min_days is not none else 'null' }} as integer) as min_days,
        cast({{ bucket.max_days if bucket.max_days is not none else 'null' }} as integer) as max_days
            {%- if not (loop.last and outer.last) %}
    union all
            {%- endif %}
        {%- endfor %}
    {%- endfor %}
),

final as (
    select
        cast(bucket_column as {{ dbt.type_string() }}) as bucket_column,
        cast(bucket as {{ dbt.type_string() }}) as bucket,
        bucket_order,
        min_days,
        max_days
    from buckets
)

select * from final

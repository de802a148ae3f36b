{#- Session counts of sessions_for with the same parameters: a session (conversation) counts once
    however many members it lists. One row for all sessions (recency_bucket null, bucket_order 0),
    then one per recency bucket in day order, zero when none. -#}
{{ config(
    materialized='table_function',
    parameters=[
        'window_days integer', 'date_from date', 'date_to date',
        'coach_id_list text[]', 'channel_list text[]',
        'employer_list text[]', 'excluded_employer_list text[]'
    ]
) }}
with

sessions as (
    select *
    from {{ function_ref('sessions_for') }}(
            window_days, date_from, date_to,
            coach_id_list, channel_list,
            employer_list, excluded_employer_list
        )
),

buckets as (
    select
        bucket,
        bucket_order
    from {{ function_ref('day_buckets') }}
    where bucket_column = 'recency_bucket'
),

every_session as (
    select
        cast(null as {{ dbt.type_string() }}) as recency_bucket,
        0 as bucket_order,
        count(distinct conversation_id) as session_count,
        count(distinct contact_id) as member_count
    from sessions
),

per_bucket as (
    select
        recency_bucket,
        count(distinct conversation_id) as session_count,
        count(distinct contact_id) as member_count
    from sessions
    group by recency_bucket
),

every_bucket as (
    select
        buckets.bucket as recency_bucket,
        buckets.bucket_order,
        coalesce(per_bucket.session_count, 0) as session_count,
        coalesce(per_bucket.member_count, 0) as member_count
    from buckets
    left join per_bucket
        on per_bucket.recency_bucket = buckets.bucket
),

final as (
    select * from every_session
    union all
    select * from every_bucket
)

select * from final

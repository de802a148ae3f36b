{#
  The newest version of every record of one raw stream, and whether it was deleted since.

  Per id: the row with the greatest `updated_at`, then the latest `loaded_at` (docs/architecture.md).
  A record counts as deleted when a row of raw.intercom_deletions for it is newer than its newest
  landed row. Columns: id, record, updated_at, loaded_at (of the chosen row), newest_loaded_at
  (of any row of the id), deleted_at (newest deletion notice or null), is_deleted.
#}
{% macro latest_versions(stream) -%}
    {%- set raw = source('intercom', 'intercom_' ~ stream) -%}
    {%- set deletions = source('intercom', 'intercom_deletions') -%}
    select
        ranked.id,
        ranked.record,
        ranked.updated_at,
        ranked.loaded_at,
        ranked.newest_loaded_at,
        notices.deleted_at,
        coalesce(notices.deleted_at > ranked.newest_loaded_at, false) as is_deleted
    from (
        select
            id,
            record,
            updated_at,
            loaded_at,
            max(loaded_at) over (partition by id) as newest_loaded_at,
            row_number() over (
                partition by id
                order by updated_at desc nulls last, loaded_at desc, record_hash
            ) as version_rank
        from {{ raw }}
    ) as ranked
    left join (
        select id, max(noticed_at) as deleted_at
        from {{ deletions }}
        where stream = '{{ stream }}'
        group by id
    ) as notices
        on notices.id = ranked.id
    where ranked.version_rank = 1
{%- endmacro %}

{#
  An incremental base model of one raw stream: per id the newest version (as latest_versions
  picks it), parsed into `columns` (a list of (name, SQL expression over `record`); one must be
  `updated_at`, the record's own), with deleted records kept and flagged (`is_deleted`) and the
  watermarks `_newest_loaded_at` and `_deleted_at`.

  Incremental runs read only the raw rows landed after the newest `_newest_loaded_at` already
  here (never the JSON of older versions) and compare their newest version with the row kept
  for the id: the greater `updated_at` wins, the later landed on a tie, as in a full build. Ids
  with only a new deletion notice keep their row, flagged again.
#}
{% macro latest_parsed(stream, key, columns) -%}
    {%- set raw = source('intercom', 'intercom_' ~ stream) -%}
    {%- set deletions = source('intercom', 'intercom_deletions') -%}
    {%- set epoch = "cast('1970-01-01 00:00:00+00' as " ~ type_timestamptz() ~ ")" -%}
    {%- set names = columns | map(attribute=0) | list -%}
with

notices as (
    select
        id,
        max(noticed_at) as deleted_at
    from {{ deletions }}
    where stream = '{{ stream }}'
    group by id
),

landed as (
    select
        id,
        record,
        updated_at,
        loaded_at,
        record_hash
    from {{ raw }}
    {%- if is_incremental() %}
    where loaded_at > (select coalesce(max(_newest_loaded_at), {{ epoch }}) from {{ this }})
    {%- endif %}
),

ranked as (
    select
        *,
        max(loaded_at) over (partition by id) as newest_loaded_at,
        row_number() over (
            partition by id
            order by updated_at desc nulls last, loaded_at desc, record_hash
        ) as version_rank
    from landed
),

parsed as (
    select
        id as {{ key }},
        {%- for name, expression in columns %}
        {{ expression }} as {{ name }},
        {%- endfor %}
        loaded_at,
        newest_loaded_at as _newest_loaded_at,
        1 as candidate_rank
    from ranked
    where version_rank = 1
),

{%- if is_incremental() %}

changed_ids as (
    select {{ key }} from parsed
    union
    select id from notices
    where deleted_at > (select coalesce(max(_deleted_at), {{ epoch }}) from {{ this }})
),

kept as (
    select
        {{ key }},
        {%- for name in names %}
        {{ name }},
        {%- endfor %}
        loaded_at,
        _newest_loaded_at,
        2 as candidate_rank
    from {{ this }}
    where {{ key }} in (select changed_ids.{{ key }} from changed_ids)
),

candidates as (
    select * from parsed
    union all
    select * from kept
),

{%- else %}

candidates as (
    select * from parsed
),

{%- endif %}

chosen as (
    select
        *,
        max(_newest_loaded_at) over (partition by {{ key }}) as newest_loaded_at,
        row_number() over (
            partition by {{ key }}
            order by updated_at desc nulls last, candidate_rank
        ) as candidate_order
    from candidates
),

final as (
    select
        chosen.{{ key }},
        {%- for name in names %}
        chosen.{{ name }},
        {%- endfor %}
        chosen.loaded_at,
        coalesce(notices.deleted_at > chosen.newest_loaded_at, false) as is_deleted,
        chosen.newest_loaded_at as _newest_loaded_at,
        notices.deleted_at as _deleted_at
    from chosen
    left join notices
        on notices.id = chosen.{{ key }}
    where chosen.candidate_order = 1
)

select * from final
{%- endmacro %}

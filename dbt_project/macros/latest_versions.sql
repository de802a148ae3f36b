{#
  The newest version of every record of one raw stream, and whether it was deleted since.

  Per id: the row with the greatest `updated_at`, then the latest `loaded_at` (docs/architecture.md).
  A record counts as deleted when a row of raw.intercom_deletions for it is newer than its newest
  landed row. Columns: id, record, updated_at, loaded_at (of the chosen row), newest_loaded_at
  (of any row of the id), deleted_at (newest deletion notice or null), is_deleted.

  `changed_since`: in an incremental model, a select giving (newest_loaded_at, deleted_at)
  watermarks; only ids landed or deleted after them are read.
#}
{% macro latest_versions(stream, changed_since=none) -%}
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
        {%- if changed_since is not none %}
        where id in (
            select id from {{ raw }}
            where loaded_at > (select coalesce(max(newest_loaded_at), cast('1970-01-01 00:00:00+00' as {{ type_timestamptz() }})) from ({{ changed_since }}) as watermark)
            union
            select id from {{ deletions }}
            where stream = '{{ stream }}'
                and noticed_at > (select coalesce(max(deleted_at), cast('1970-01-01 00:00:00+00' as {{ type_timestamptz() }})) from ({{ changed_since }}) as watermark)
        )
        {%- endif %}
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

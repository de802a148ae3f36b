{#- The keys changed since the last successful build, by kind (macros/incremental.sql), computed
    once per build for every incremental model that follows them. Empty when the build has no
    watermarks: the incremental models then replace every row. -#}
{%- set selects = changed_key_selects() %}

with

changed as (
    {%- for kind, keys in selects.items() %}
    select
        '{{ kind }}' as key_kind,
        changed_keys.key_value
    from ({{ keys }}) as changed_keys (key_value)
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        key_kind,
        key_value
    from changed
    {%- if not incremental_keys_known() %}
    where false
    {%- endif %}
)

select * from final

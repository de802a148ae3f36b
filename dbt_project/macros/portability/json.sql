{#
  JSON access that reads the same on DuckDB (`json`) and PostgreSQL (`jsonb`). Keys are given as a
  list of plain strings, so keys with spaces (`Enrolled Date`) need no path escaping.
#}

{#- A key as a literal: array positions (integers) bare, object keys quoted. -#}
{% macro _json_key(key) -%}
    {%- if key is number -%}{{ key }}{%- else -%}'{{ key | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}

{#- The JSON value at `keys` (null when absent). -#}
{% macro json_get(expr, keys) -%}
    ({{ expr }}{% for key in keys %}->{{ _json_key(key) }}{% endfor %})
{%- endmacro %}

{#- The value at `keys` as text: strings unquoted, numbers as written, JSON null as SQL null. -#}
{% macro json_text(expr, keys) -%}
    ({{ expr }}{% for key in keys[:-1] %}->{{ _json_key(key) }}{% endfor %}->>{{ _json_key(keys[-1]) }})
{%- endmacro %}

{#- The value under a key held in a column (`custom_attributes` ->> attribute name), as text. -#}
{% macro json_text_by_key(expr, key_expr) -%}
    ({{ expr }}->>{{ key_expr }})
{%- endmacro %}

{% macro json_kind_by_key(expr, key_expr) -%}
    {{ json_kind(expr ~ '->' ~ key_expr) }}
{%- endmacro %}

{#- The JSON type of a value: 'string', 'number', 'boolean', 'null', 'object', 'array';
    SQL null when the key is absent. -#}
{% macro json_kind(json_expr) -%}
    {{ return(adapter.dispatch('json_kind', 'coach')(json_expr)) }}
{%- endmacro %}

{% macro default__json_kind(json_expr) -%}
    jsonb_typeof({{ json_expr }})
{%- endmacro %}

{% macro duckdb__json_kind(json_expr) -%}
    case json_type({{ json_expr }})
        when 'VARCHAR' then 'string'
        when 'BIGINT' then 'number'
        when 'UBIGINT' then 'number'
        when 'HUGEINT' then 'number'
        when 'DOUBLE' then 'number'
        when 'BOOLEAN' then 'boolean'
        when 'NULL' then 'null'
        when 'OBJECT' then 'object'
        when 'ARRAY' then 'array'
    end
{%- endmacro %}

{#- A FROM-clause fragment: one row per element of the JSON array `json_expr` (no rows when it is
    not an array), exposing `<alias>.element` (JSON) and `<alias>.position` (0-based). -#}
{% macro json_array_elements(json_expr, alias) -%}
    {{ return(adapter.dispatch('json_array_elements', 'coach')(json_expr, alias)) }}
{%- endmacro %}

{% macro default__json_array_elements(json_expr, alias) -%}
    cross join lateral (
        select elements.value as element, elements.ordinality - 1 as position
        from jsonb_array_elements(
            case when jsonb_typeof({{ json_expr }}) = 'array' then {{ json_expr }} else '[]'::jsonb end
        ) with ordinality as elements(value, ordinality)
    ) as {{ alias }}
{%- endmacro %}

{% macro duckdb__json_array_elements(json_expr, alias) -%}
    cross join lateral (
        select each.value as element, cast(each.key as integer) as position
        from json_each(
            case when json_type({{ json_expr }}) = 'ARRAY' then {{ json_expr }} else cast('[]' as json) end
        ) as each
    ) as {{ alias }}
{%- endmacro %}

{% macro json_array_length(json_expr) -%}
    {{ return(adapter.dispatch('json_array_length', 'coach')(json_expr)) }}
{%- endmacro %}

{% macro default__json_array_length(json_expr) -%}
    case when jsonb_typeof({{ json_expr }}) = 'array' then jsonb_array_length({{ json_expr }}) else 0 end
{%- endmacro %}

{% macro duckdb__json_array_length(json_expr) -%}
    case when json_type({{ json_expr }}) = 'ARRAY' then cast(json_array_length({{ json_expr }}) as integer) else 0 end
{%- endmacro %}

{#- A FROM-clause fragment: one row per key of the JSON object `json_expr` (no rows when it is not
    an object), exposing `<alias>.key` (text) and `<alias>.value` (JSON). -#}
{% macro json_object_entries(json_expr, alias) -%}
    {{ return(adapter.dispatch('json_object_entries', 'coach')(json_expr, alias)) }}
{%- endmacro %}

{% macro default__json_object_entries(json_expr, alias) -%}
    cross join lateral jsonb_each(
        case when jsonb_typeof({{ json_expr }}) = 'object' then {{ json_expr }} else '{}'::jsonb end
    ) as {{ alias }}(key, value)
{%- endmacro %}

{% macro duckdb__json_object_entries(json_expr, alias) -%}
    cross join lateral (
        select each.key as key, each.value as value
        from json_each(
            case when json_type({{ json_expr }}) = 'OBJECT' then {{ json_expr }} else cast('{}' as json) end
        ) as each
    ) as {{ alias }}
{%- endmacro %}

{#- A whole JSON value as text (strings unquoted), e.g. the value column of json_object_entries. -#}
{% macro json_value_text(json_expr) -%}
    {{ return(adapter.dispatch('json_value_text', 'coach')(json_expr)) }}
{%- endmacro %}

{% macro default__json_value_text(json_expr) -%}
    ({{ json_expr }} #>> '{}')
{%- endmacro %}

{% macro duckdb__json_value_text(json_expr) -%}
    ({{ json_expr }} ->> '$')
{%- endmacro %}

{#- The integer at `keys` as a bigint; null when absent or not an integer. -#}
{% macro json_bigint(expr, keys) -%}
    case
        when {{ json_kind(json_get(expr, keys)) }} = 'number' and {{ is_integer_text(json_text(expr, keys)) }}
            then cast({{ json_text(expr, keys) }} as {{ dbt.type_bigint() }})
    end
{%- endmacro %}

{#- The unix-seconds integer at `keys` as an instant; null when absent or not an integer. -#}
{% macro json_unix_timestamptz(expr, keys) -%}
    {{ unix_to_timestamptz(json_bigint(expr, keys)) }}
{%- endmacro %}

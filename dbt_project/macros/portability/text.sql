{#- True when `expr` is an integer written in plain digits (at most 18, so it fits a bigint). -#}
{% macro is_integer_text(expr) -%}
    {{ return(adapter.dispatch('is_integer_text', 'coach')(expr)) }}
{%- endmacro %}

{% macro default__is_integer_text(expr) -%}
    coalesce({{ expr }} ~ '^-?[0-9]{1,18}$', false)
{%- endmacro %}

{% macro duckdb__is_integer_text(expr) -%}
    coalesce(regexp_full_match({{ expr }}, '-?[0-9]{1,18}'), false)
{%- endmacro %}

{#- Whitespace runs collapsed to one space, ends trimmed; empty text becomes null. -#}
{% macro clean_text(expr) -%}
    nullif(trim(regexp_replace({{ expr }}, '\s+', ' ', 'g')), '')
{%- endmacro %}

{#- First and last word of a cleaned name; the last word is null for one-word names. -#}
{% macro first_word(cleaned) -%}
    regexp_replace({{ cleaned }}, ' .*$', '')
{%- endmacro %}

{% macro last_word(cleaned) -%}
    case when {{ dbt.position("' '", cleaned) }} > 0 then regexp_replace({{ cleaned }}, '^.* ', '') end
{%- endmacro %}

{#
  Instants and calendar dates. Days are always counted between calendar dates, never as
  fractions of 24 hours, and every conversion names its time zone.
#}

{% macro type_timestamptz() -%}
    timestamp with time zone
{%- endmacro %}

{#- Unix seconds (integer) to an instant. -#}
{% macro unix_to_timestamptz(seconds) -%}
    {{ return(adapter.dispatch('unix_to_timestamptz', 'coach')(seconds)) }}
{%- endmacro %}

{% macro default__unix_to_timestamptz(seconds) -%}
    to_timestamp({{ seconds }})
{%- endmacro %}

{% macro duckdb__unix_to_timestamptz(seconds) -%}
    to_timestamp(cast({{ seconds }} as double))
{%- endmacro %}

{#- An instant to unix seconds (integer). -#}
{% macro timestamptz_to_unix(ts) -%}
    cast(extract(epoch from {{ ts }}) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- An instant as unix seconds in text: how Intercom's date attributes are written back. -#}
{% macro unix_seconds_text(ts) -%}
    cast({{ timestamptz_to_unix(ts) }} as {{ dbt.type_string() }})
{%- endmacro %}

{#- The calendar date of an instant in a time zone (the program time zone by default). -#}
{% macro local_date(ts, timezone=none) -%}
    {{ return(adapter.dispatch('local_date', 'coach')(ts, timezone or program_timezone())) }}
{%- endmacro %}

{% macro default__local_date(ts, timezone) -%}
    cast(({{ ts }} at time zone '{{ timezone }}') as date)
{%- endmacro %}

{% macro duckdb__local_date(ts, timezone) -%}
    cast(timezone('{{ timezone }}', {{ ts }}) as date)
{%- endmacro %}

{#- The UTC calendar date of unix seconds: how Intercom date attributes hold calendar dates. -#}
{% macro unix_to_utc_date(seconds) -%}
    {{ local_date(unix_to_timestamptz(seconds), 'UTC') }}
{%- endmacro %}

{#- Whole calendar days from `earlier` to `later` (dates). -#}
{% macro days_between(earlier, later) -%}
    {{ dbt.datediff(earlier, later, 'day') }}
{%- endmacro %}

{#- A date as text YYYY-MM-DD, and a month as YYYY-MM. -#}
{% macro iso_date(date_expr) -%}
    {{ return(adapter.dispatch('iso_date', 'coach')(date_expr)) }}
{%- endmacro %}

{% macro default__iso_date(date_expr) -%}
    to_char({{ date_expr }}, 'YYYY-MM-DD')
{%- endmacro %}

{% macro duckdb__iso_date(date_expr) -%}
    strftime({{ date_expr }}, '%Y-%m-%d')
{%- endmacro %}

{% macro iso_month(date_expr) -%}
    {{ return(adapter.dispatch('iso_month', 'coach')(date_expr)) }}
{%- endmacro %}

{% macro default__iso_month(date_expr) -%}
    to_char({{ date_expr }}, 'YYYY-MM')
{%- endmacro %}

{% macro duckdb__iso_month(date_expr) -%}
    strftime({{ date_expr }}, '%Y-%m')
{%- endmacro %}

{#- Calendar arithmetic on dates, returning dates on every adapter (PostgreSQL's date_trunc on a
    date would go through the session time zone; DuckDB's dateadd returns a timestamp). -#}
{% macro month_start(date_expr) -%}
    cast({{ dbt.date_trunc('month', 'cast(' ~ date_expr ~ ' as ' ~ dbt.type_timestamp() ~ ')') }} as date)
{%- endmacro %}

{% macro add_months(date_expr, months) -%}
    cast({{ dbt.dateadd('month', months, 'cast(' ~ date_expr ~ ' as ' ~ dbt.type_timestamp() ~ ')') }} as date)
{%- endmacro %}

{% macro add_days(date_expr, days) -%}
    cast({{ dbt.dateadd('day', days, 'cast(' ~ date_expr ~ ' as ' ~ dbt.type_timestamp() ~ ')') }} as date)
{%- endmacro %}

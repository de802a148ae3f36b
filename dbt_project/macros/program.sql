{#
  The program's clock: the as-of date and instant every model judges by, computed once per
  invocation, so that every model of one build agrees.
#}

{#- The as-of date asked for: the var as_of when set (unit tests' overrides, dbt run by hand
    with --vars), else the environment's COACH_AS_OF (warehouse/dbt.py sets it), read only while
    executing so that dbt's saved parse does not depend on it (a changed var, or an env var read
    while parsing, makes dbt parse the project again: 6-8 s at every new date); none for today. -#}
{% macro _as_of_raw() -%}
    {%- set asked = var('as_of', none) -%}
    {%- if asked is none or (asked | string | trim) == '' -%}
        {%- set asked = env_var('COACH_AS_OF', '') if execute else '' -%}
    {%- endif -%}
    {{ return(asked) }}
{%- endmacro %}

{% macro program_timezone() -%}
    {%- set name = var('program_timezone') -%}
    {%- if name not in modules.pytz.all_timezones -%}
        {{ exceptions.raise_compiler_error("var program_timezone: unknown time zone '" ~ name ~ "'") }}
    {%- endif -%}
    {{ return(name) }}
{%- endmacro %}

{% macro _as_of_python_date() -%}
    {%- set raw = _as_of_raw() -%}
    {%- if raw is none or (raw | string | trim) == '' -%}
        {%- set tz = modules.pytz.timezone(program_timezone()) -%}
        {{ return(run_started_at.astimezone(tz).date()) }}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', raw | string) -%}
        {{ exceptions.raise_compiler_error("var as_of must be a date YYYY-MM-DD, got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{ return(modules.datetime.datetime.strptime(raw | string, '%Y-%m-%d').date()) }}
{%- endmacro %}

{#- The as-of instant: the build's start when as_of is today (the default), else the start of the
    as_of date in the program time zone, so that an audit rebuild is reproducible. -#}
{% macro _as_of_python_instant() -%}
    {%- set raw = _as_of_raw() -%}
    {%- if raw is none or (raw | string | trim) == '' -%}
        {{ return(run_started_at.astimezone(modules.pytz.utc)) }}
    {%- endif -%}
    {%- set tz = modules.pytz.timezone(program_timezone()) -%}
    {%- set day = _as_of_python_date() -%}
    {%- set local_midnight = tz.localize(modules.datetime.datetime(day.year, day.month, day.day)) -%}
    {{ return(local_midnight.astimezone(modules.pytz.utc)) }}
{%- endmacro %}

{% macro as_of_date() -%}
    cast('{{ _as_of_python_date().isoformat() }}' as date)
{%- endmacro %}

{% macro as_of_instant() -%}
    cast('{{ _as_of_python_instant().strftime("%Y-%m-%d %H:%M:%S+00") }}' as {{ type_timestamptz() }})
{%- endmacro %}

{% macro as_of_unix_seconds() -%}
    {{ _as_of_python_instant().timestamp() | int }}
{%- endmacro %}

{% macro built_at() -%}
    cast('{{ run_started_at.astimezone(modules.pytz.utc).strftime("%Y-%m-%d %H:%M:%S+00") }}' as {{ type_timestamptz() }})
{%- endmacro %}

{% macro lookback_days() -%}
    {%- set days = var('lookback_days') | int -%}
    {%- set most = var('max_lookback_days') | int -%}
    {%- if days < 1 or days > most -%}
        {{ exceptions.raise_compiler_error("var lookback_days must be between 1 and " ~ most ~ ", got " ~ var('lookback_days')) }}
    {%- endif -%}
    {{ return(days) }}
{%- endmacro %}

{#- Bounds of a plausible unix-seconds date attribute, as unix seconds. -#}
{% macro _unix_seconds_of(var_name) -%}
    {%- set day = modules.datetime.datetime.strptime(var(var_name) | string, '%Y-%m-%d') -%}
    {{ return((day - modules.datetime.datetime(1970, 1, 1)).total_seconds() | int) }}
{%- endmacro %}

{% macro timestamp_valid_before_seconds() -%}
    {{ _unix_seconds_of('timestamp_valid_before') }}
{%- endmacro %}

{#
  Materialization `table_function` on PostgreSQL: a relation that takes parameters, e.g.
  `select * from caseload_for(28, array['5412439'], null)`, so that a report with a filter runs
  the very SQL a mart is built from instead of a copy of it.

  On DuckDB the adapter's own `table_function` materialization (dbt-duckdb) makes the same model a
  table macro; this one makes it a `language sql stable` set-returning function, with the same
  contract: the model's SQL is a select naming its parameters as bare identifiers, and the config
  `parameters` lists them in call order as 'name type' (types both databases know: integer, date,
  text[]). A parameter must not be named like a column the select reads (the column would win, on
  both databases). Relations inside the select are named without a database (macro
  function_ref), so the DuckDB macro still works in a copy of the file.

  The output columns are those the select gives: read from a probe view over the select with typed
  nulls for the parameters. Every older function of that name (another parameter list) is dropped
  first, and so is a table or view left under that name.
#}
{% materialization table_function, adapter='postgres' %}
    {%- set parameters = _function_parameters() -%}
    {%- set target_relation = this.incorporate(type='function') -%}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {%- set existing = load_cached_relation(this) -%}
    {%- if existing is not none and existing.type in ('table', 'view', 'materialized_view') -%}
        {{ adapter.drop_relation(existing) }}
    {%- endif -%}
    {%- set columns = _postgres_function_columns(parameters, sql) -%}
    {%- for function in _postgres_functions_named(this) %}
        {% call statement('drop_' ~ loop.index) -%}
            drop function {{ function }}
        {%- endcall %}
    {%- endfor %}
    {% call statement('main') -%}
        create function {{ this }}(
            {%- for name, type in parameters %}{{ name }} {{ type }}{{ ', ' if not loop.last }}{% endfor -%}
        )
        returns table (
            {%- for name, type in columns %}{{ adapter.quote(name) }} {{ type }}{{ ', ' if not loop.last }}{% endfor -%}
        )
        language sql stable
        as $coach_function$
        {{ sql }}
        $coach_function$
    {%- endcall %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- The model's `parameters` config ('name type', ...) as (name, type) pairs. -#}
{% macro _function_parameters() -%}
    {%- set parameters = config.get('parameters') -%}
    {%- if not parameters or parameters is string -%}
        {{ exceptions.raise_compiler_error("A table_function model needs config parameters=['name type', ...]: " ~ this) }}
    {%- endif -%}
    {%- set pairs = [] -%}
    {%- for parameter in parameters -%}
        {%- set parts = parameter.split(none, 1) -%}
        {%- if parts | length != 2 -%}
            {{ exceptions.raise_compiler_error("A table_function parameter is 'name type', got '" ~ parameter ~ "': " ~ this) }}
        {%- endif -%}
        {%- do pairs.append(parts) -%}
    {%- endfor -%}
    {{ return(pairs) }}
{%- endmacro %}

{#- The (name, type) of each column the select gives, as PostgreSQL names the types. -#}
{% macro _postgres_function_columns(parameters, sql) -%}
    {%- set probe = adapter.quote(this.identifier ~ '__probe') -%}
    {% call statement('probe') -%}
        create temporary view {{ probe }} as
        select body.*
        from (
            select
            {%- for name, type in parameters %}
                cast(null as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
            {%- endfor %}
        ) as parameters
        cross join lateral (
            {{ sql }}
        ) as body
    {%- endcall %}
    {%- set described = run_query(
        "select attname, format_type(atttypid, atttypmod) from pg_attribute"
        ~ " where attrelid = 'pg_temp." ~ probe ~ "'::regclass"
        ~ " and attnum > 0 and not attisdropped order by attnum"
    ) -%}
    {% call statement('drop_probe') -%}
        drop view pg_temp.{{ probe }}
    {%- endcall %}
    {{ return(described.rows | map('list') | list) }}
{%- endmacro %}

{#- Every function of this name in the relation's schema, as `schema.name(argument types)`. -#}
{% macro _postgres_functions_named(relation) -%}
    {%- set found = run_query(
        "select cast(cast(proc.oid as regprocedure) as text) from pg_proc as proc"
        ~ " inner join pg_namespace as space on space.oid = proc.pronamespace"
        ~ " where space.nspname = '" ~ relation.schema ~ "' and proc.proname = '" ~ relation.identifier ~ "'"
    ) -%}
    {{ return(found.columns[0].values() | list) }}
{%- endmacro %}

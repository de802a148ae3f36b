{#
  Materialization `table_function`: a relation that takes parameters, e.g.
  `select * from caseload_for(28, ['5412439'], null)`, so that a report with a filter runs the
  very SQL a mart is built from instead of a copy of it.

  The model's SQL is a select naming its parameters as bare identifiers; the model config
  `parameters` lists them in call order as [name, type] pairs, the types as PostgreSQL writes them
  (integer, date, text[]). A parameter must not be named like a column the select reads (the
  column would win, on both databases). Relations inside the select are named without a database
  (macro `function_ref`), so that the function still works in a copy of the file.

  * DuckDB: a table macro, `create or replace macro <schema>.<name>(<parameters>) as table <select>`,
    a catalog entry stored in the database file (a file copy carries it).
  * PostgreSQL: a `language sql stable` set-returning function with typed parameters; its output
    columns are the ones the select gives, read from a probe view over the select with typed
    nulls for the parameters. Every older function of that name (another parameter list) is
    dropped first.
#}

{% materialization table_function, adapter='duckdb' %}
    {%- set parameters = _function_parameters() -%}
    {{ run_hooks(pre_hooks) }}
    {{ _drop_relation_named_like(this) }}
    {% call statement('main') -%}
        create or replace macro {{ this }}({{ parameters | map(attribute=0) | join(', ') }}) as table
        {{ sql }}
    {%- endcall %}
    {{ run_hooks(post_hooks) }}
    {{ adapter.commit() }}
    {{ return({'relations': []}) }}
{% endmaterialization %}

{% materialization table_function, adapter='postgres' %}
    {%- set parameters = _function_parameters() -%}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {{ _drop_relation_named_like(this) }}
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
    {{ return({'relations': []}) }}
{% endmaterialization %}

{#- The model's `parameters` config as a list of (name, type) pairs; a clear error without it. -#}
{% macro _function_parameters() -%}
    {%- set parameters = config.get('parameters') -%}
    {%- if not parameters -%}
        {{ exceptions.raise_compiler_error("A table_function model needs config parameters=[[name, type], ...]: " ~ this) }}
    {%- endif -%}
    {{ return(parameters) }}
{%- endmacro %}

{#- A table or view left under the function's name (say, by an older materialization). -#}
{% macro _drop_relation_named_like(relation) -%}
    {%- set existing = load_cached_relation(relation) -%}
    {%- if existing is not none -%}
        {{ adapter.drop_relation(existing) }}
    {%- endif -%}
{%- endmacro %}

{#- The (name, type) of each column the select gives, as PostgreSQL names the types. -#}
{% macro _postgres_function_columns(parameters, sql) -%}
    {%- set probe = this.identifier ~ '__probe' -%}
    {% call statement('probe') -%}
        create temporary view {{ adapter.quote(probe) }} as
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
        ~ " where attrelid = 'pg_temp." ~ adapter.quote(probe) ~ "'::regclass"
        ~ " and attnum > 0 and not attisdropped order by attnum"
    ) -%}
    {% call statement('drop_probe') -%}
        drop view pg_temp.{{ adapter.quote(probe) }}
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

{#- A relation as a function body names it: schema and name, no database (a file copy keeps
    working, whatever the file is called). Registers the dependency like ref(). -#}
{% macro function_ref(model_name) -%}
    {{ return(ref(model_name).include(database=false)) }}
{%- endmacro %}

{#
  Marts go to the target's own schema (`main` on DuckDB), so analysts write `select * from caseload`.
  Staging, intermediate and snapshots keep their plain names (`staging`, ...), prefixed by the
  `schema_prefix` var, which warehouse/dbt.py sets when a PostgreSQL database holds several
  warehouses (tests, a second program) so that they never share a schema.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ var('schema_prefix', '') }}{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

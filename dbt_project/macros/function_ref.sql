{#- A relation as a function body names it: schema and name, no database (a file copy keeps
    working, whatever the file is called). Registers the dependency like ref(). -#}
{% macro function_ref(model_name) -%}
    {{ return(ref(model_name).include(database=false)) }}
{%- endmacro %}

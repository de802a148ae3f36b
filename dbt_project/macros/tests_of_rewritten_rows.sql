{#
  Data tests of an incremental build check the rows that build rewrote.

  When a build replaced only the changed keys, with the last build's as-of date
  (macros/incremental.sql), every other row of an incremental model is a row an earlier build
  wrote and tested, and a failed test makes the next build a full one. A generic test whose
  failures can only involve a rewritten row then reads just the rewritten rows:
  * row-level tests (not_null, accepted_values, is_a_day_bucket);
  * uniqueness over columns that include every key column of the model: duplicates share those
    values, so if one of them was rewritten, so was the other;
  * relationships to a seed, which changes only with the project, that is in a full build;
  * relationships from the model's key column to an incremental parent's key column whose kind of
    changed keys is within the child's: a parent row that changed or went has a changed key, and
    the child rows pointing at it are rewritten ones.
  Every other test, and every test of a full build or of the first build of an as-of date (once a
  day), reads the whole table. dbt's own `where` config still applies. Singular tests tagged
  `whole_tables`, which read every row whatever changed, are left out of the builds whose tests
  read the rewritten rows (warehouse/dbt.py).
#}

{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set rewritten = rewritten_rows_predicate() -%}
    {%- if rewritten -%}
        {%- do conditions.append('(' ~ rewritten ~ ')') -%}
    {%- endif -%}
    {%- if not conditions -%}
        {%- do return(relation) -%}
    {%- endif -%}
    {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
{%- endmacro %}

{#- The SQL predicate of the rows the running generic test needs to read, or '' for every row. -#}
{% macro rewritten_rows_predicate() -%}
    {%- set test = model.get('test_metadata') if model is mapping else none -%}
    {%- if not tests_read_rewritten_rows() or test is none or config.get('severity') | lower == 'warn' -%}
        {#- A warning does not fail the build, so its rows would not be read again. -#}
        {%- do return('') -%}
    {%- endif -%}
    {%- set keys = _changed_keys_of(model.get('attached_node')) -%}
    {%- set kwargs = test.get('kwargs') or {} -%}
    {%- set within = false -%}
    {%- if not keys -%}
        {%- do return('') -%}
    {%- elif test.name in ('not_null', 'accepted_values', 'is_a_day_bucket') -%}
        {%- set within = true -%}
    {%- elif test.name == 'unique' -%}
        {%- set within = keys | length == 1 and kwargs.get('column_name') in keys -%}
    {%- elif test.name == 'unique_combination' -%}
        {%- set within = keys | reject('in', kwargs.get('columns') or []) | list | length == 0 -%}
    {%- elif test.name == 'relationships' -%}
        {%- set within = _parent_changes_within(keys, kwargs, model.depends_on.nodes | reject('equalto', model.get('attached_node')) | list) -%}
    {%- endif -%}
    {%- if not within -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set conditions = [] -%}
    {%- for column, kind in keys.items() -%}
        {%- do conditions.append(_rewritten_keys(column, kind)) -%}
    {%- endfor -%}
    {%- do return(conditions | join(' or ')) -%}
{%- endmacro %}

{#- Whether this build's tests read only the rows it rewrote: an incremental build with the last
    build's as-of date. -#}
{% macro tests_read_rewritten_rows() -%}
    {%- set since = _changed_since() -%}
    {%- do return(since is not none and since.get('same_as_of', false)) -%}
{%- endmacro %}

{#- `column in (changed keys of kind)`. A test's dependencies are the models it tests: the
    changed keys are looked up in the graph rather than by ref(). -#}
{% macro _rewritten_keys(column, kind) -%}
    {%- set table = graph.nodes['model.' ~ project_name ~ '.stg_intercom__changed_keys'] -%}
    {%- set keys_relation = api.Relation.create(
        database=table.database, schema=table.schema, identifier=table.alias) -%}
    {%- do return(column ~ ' in (' ~ changed_keys(kind, keys_relation) ~ ')') -%}
{%- endmacro %}

{#- meta.changed_keys of an incremental model ({key column: kind}), or {} for any other node. -#}
{% macro _changed_keys_of(unique_id) -%}
    {%- set node = graph.nodes.get(unique_id) if unique_id else none -%}
    {%- if node is none or node.config.materialized != 'incremental' -%}
        {%- do return({}) -%}
    {%- endif -%}
    {%- set keys = node.config.meta.get('changed_keys') or {} -%}
    {#- Only the kinds of stg_intercom__changed_keys (not engagement_status_history's as_of_date). -#}
    {%- set known = changed_key_kinds() -%}
    {%- do return(keys if keys.values() | reject('in', known) | list | length == 0 else {}) -%}
{%- endmacro %}

{#- Whether every parent row a relationships test reads is unchanged or changed only with a key the
    child rewrote: a seed, or one key column each, the test's columns, and the parent's kind
    within the child's. -#}
{% macro _parent_changes_within(keys, kwargs, parents) -%}
    {%- if parents | length != 1 -%}
        {%- do return(false) -%}
    {%- elif graph.nodes.get(parents[0], {}).get('resource_type') == 'seed' -%}
        {#- A seed is part of the project: it changes only in a full build. -#}
        {%- do return(true) -%}
    {%- elif keys | length != 1 or kwargs.get('column_name') not in keys -%}
        {%- do return(false) -%}
    {%- endif -%}
    {%- set parent_keys = _changed_keys_of(parents[0]) -%}
    {%- if parent_keys | length != 1 or kwargs.get('field') not in parent_keys -%}
        {%- do return(false) -%}
    {%- endif -%}
    {%- set within_child = changed_key_kinds()[keys[kwargs.get('column_name')]] -%}
    {%- do return(parent_keys[kwargs.get('field')] in within_child) -%}
{%- endmacro %}

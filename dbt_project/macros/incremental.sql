{#
  Incremental builds: what changed since the last successful build, and replacing just that.

  warehouse/dbt.py passes the last successful build's watermarks in the environment variable
  COACH_CHANGED_SINCE (JSON: the newest `loaded_at` of the raw contacts and conversations, the
  newest `noticed_at` of the deletion notices, and `same_as_of`: whether that build had this
  build's as-of date). It is read only while executing, like COACH_AS_OF, so dbt's saved parse
  stays valid. Without it (the first build, after a failed one, a changed project, PostgreSQL, dbt
  run by hand) warehouse/dbt.py asks for --full-refresh, or every key counts as changed: an
  incremental model then replaces all its rows, which is a full build by another route.

  A model that follows changed keys (docs/architecture.md, "Incremental builds"):

      {{ config(materialized='incremental', incremental_strategy='append',
                pre_hook="{{ delete_changed() }}",
                meta={'changed_keys': {'contact_id': 'members'}, 'dated': true}) }}
      {%- set changed = changed_keys('members') %}
      ... where {{ is_changed('contact_id', changed) }}

  The pre-hook deletes the rows of every changed key (a key whose rows are all gone, such as a
  deleted contact, is deleted too), and the model's select yields the new rows of those keys.

  Kinds of keys (`kind`):
  * `contacts`: contact ids landed or deleted since;
  * `conversations`: conversation ids landed or deleted since;
  * `conversation_members`: changed conversations and the conversations listing a changed contact
    (its role or existence decides whether it is a member of them);
  * `members`: changed contacts and the contacts listed on a changed conversation, in its new or
    its previous version (base_intercom__conversation_contacts keeps the previous list).
  Models whose rows depend on the as-of date (`dated=true`) take every key as changed when the
  as-of date moved since the last build.
#}

{% macro _changed_since() -%}
    {%- set raw = env_var('COACH_CHANGED_SINCE', '') if execute else '' -%}
    {%- if (raw | trim) == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(fromjson(raw)) }}
{%- endmacro %}

{#- Whether this run of an incremental model replaces only the changed keys; false means every
    key: not incremental, no watermarks, or (dated) an as-of date other than the last build's. -#}
{% macro incremental_keys(dated=false) -%}
    {%- set since = _changed_since() -%}
    {%- if not is_incremental() or since is none -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(not dated or since.get('same_as_of', false)) }}
{%- endmacro %}

{#- Whether this build was given watermarks at all. -#}
{% macro incremental_keys_known() -%}
    {{ return(_changed_since() is not none) }}
{%- endmacro %}

{#- The last build's watermark `name` (contacts, conversations, deletions) as a timestamp; the
    epoch without one. -#}
{% macro watermark(name) -%}
    {%- set since = _changed_since() -%}
    {%- set value = since.get(name) if since is not none else none -%}
    {%- if value is none -%}
        cast('1970-01-01 00:00:00+00' as {{ type_timestamptz() }})
    {%- else -%}
        cast('{{ value }}' as {{ type_timestamptz() }})
    {%- endif -%}
{%- endmacro %}

{#- An SQL select of the changed keys of `kind` (one column), from stg_intercom__changed_keys, which this
    build filled once (`keys_relation`: that table, for a caller that may not ref() it). -#}
{#- The kinds of changed keys stg_intercom__changed_keys holds, each with the kinds whose keys are
    among its own (a changed contact is a changed member; a changed conversation a changed
    conversation of members). -#}
{% macro changed_key_kinds() -%}
    {{ return({
        'contacts': ['contacts'],
        'conversations': ['conversations'],
        'members': ['contacts', 'members'],
        'conversation_members': ['conversations', 'conversation_members'],
    }) }}
{%- endmacro %}

{% macro changed_keys(kind, keys_relation=none) -%}
    {%- if kind not in changed_key_kinds() -%}
        {{ exceptions.raise_compiler_error("changed_keys: unknown kind '" ~ kind ~ "'") }}
    {%- endif -%}
    select key_value from {{ keys_relation or ref('stg_intercom__changed_keys') }}
    where key_kind = '{{ kind }}'
{%- endmacro %}

{#- A predicate: `column` is one of the changed keys `changed` (true when every key counts). -#}
{% macro is_changed(column, changed, dated=false) -%}
    {%- if incremental_keys(dated) -%}
        {{ column }} in ({{ changed }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook: delete the rows of the changed keys (every row when every key counts), as the
    model's config declares them: meta `changed_keys`, {key column: kind}, a row going when any of
    its columns is a changed key of its kind, and `dated`. The publish of an incremental build
    reads the same declaration from dbt's manifest (warehouse/snapshot_changes.py). -#}
{% macro delete_changed() -%}
    {%- if is_incremental() -%}
        {%- set meta = config.get('meta') or {} -%}
        {%- set conditions = [] -%}
        {%- for column, kind in meta['changed_keys'].items() -%}
            {%- do conditions.append(is_changed(column, changed_keys(kind), meta.get('dated', false))) -%}
        {%- endfor -%}
        delete from {{ this }} where {{ conditions | join(' or ') }}
    {%- endif -%}
{%- endmacro %}

-- The table function caseload_for, called with the build's window and no coach or channel list,
-- gives the caseload mart row for row (both are the macro caseload_rollup): a null list means no
-- filter, on DuckDB and PostgreSQL alike. It computes the caseload of every member, so it is left
-- out of the builds whose tests read only the rows they rewrote (tag whole_tables,
-- macros/tests_of_rewritten_rows.sql) and runs in full builds and each as-of date's first build.
{{ config(tags=['whole_tables']) }}

with

called as (
    select * from {{ ref('caseload_for') }}({{ lookback_days() }}, null, null)
),

mart as (
    select * from {{ ref('caseload') }}
),

missing_from_call as (
    select * from mart
    except
    select * from called
),

extra_in_call as (
    select * from called
    except
    select * from mart
)

select * from missing_from_call
union all
select * from extra_in_call

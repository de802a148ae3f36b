-- The table function caseload_for, called with the build's window and no coach or channel list,
-- gives the caseload mart row for row (both are the macro caseload_rollup): a null list means no
-- filter, on DuckDB and PostgreSQL alike. An incremental build compares the members whose rows it
-- rewrote (macros/tests_of_rewritten_rows.sql).
with

called as (
    select * from {{ ref('caseload_for') }}({{ lookback_days() }}, null, null)
    where {{ rewritten_rows_of('contact_id', 'members') }}
),

mart as (
    select * from {{ ref('caseload') }}
    where {{ rewritten_rows_of('contact_id', 'members') }}
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

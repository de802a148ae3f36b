{#- One row per contact and expected contact attribute (seed intercom_attributes): the value as received,
    whether it is missing, valid or dirty (and why), and the typed value when valid. A dirty value
    is treated as missing everywhere downstream and listed in data_quality_issues. Incremental: the rows of changed contacts are replaced. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed() }}",
    meta={'changed_keys': {'contact_id': 'contacts'}},
) }}
{%- set changed = changed_keys('contacts') %}

with

contacts as (
    select contact_id from {{ ref('stg_intercom__contacts') }}
    where {{ is_changed('contact_id', changed) }}
),

expected_attributes as (
    select * from {{ ref('intercom_attributes') }}
    where model = 'contact'
),

received_values as (
    select * from {{ ref('stg_intercom__contact_attributes') }}
    where {{ is_changed('contact_id', changed) }}
),

contact_values as (
    select
        contacts.contact_id,
        expected.attribute,
        expected.data_type,
        expected.value_kind,
        expected.maintained as is_maintained,
        expected.is_expected,
        expected.earliest_valid_date,
        {{ timestamptz_to_unix(
            'cast(expected.earliest_valid_date as ' ~ dbt.type_timestamp() ~ ')'
        ) }} as earliest_valid_seconds,
        received.value_json_kind,
        received.value_text,
        case
            when received.value_json_kind = 'number'
                and {{ is_integer_text('received.value_text') }}
                then {{ dbt.safe_cast('received.value_text', dbt.type_bigint()) }}
        end as value_integer
    from contacts
    cross join expected_attributes as expected
    left join received_values as received
        on received.contact_id = contacts.contact_id
        and received.attribute = expected.attribute
),

classified as (
    select
        *,
        case
            when value_json_kind is null or value_json_kind = 'null' then 'missing'
            when value_json_kind = 'string' and trim(value_text) = '' then 'missing'
            when data_type = 'date' and value_json_kind = 'string' then 'date_as_string'
            when data_type = 'date' and value_integer is null then 'wrong_type'
            when
                data_type = 'date' and value_integer >= {{ timestamp_valid_before_seconds() }}
                then 'far_future_timestamp'
            when
                data_type = 'date' and value_integer < earliest_valid_seconds and value_integer < 0
                then 'negative_timestamp'
            when
                data_type = 'date' and value_integer < earliest_valid_seconds
                then 'timestamp_out_of_range'
            when data_type = 'string' and value_json_kind <> 'string' then 'wrong_type'
            else 'valid'
        end as value_status
    from contact_values
),

typed as (
    select
        contact_id,
        attribute,
        data_type,
        value_kind,
        is_maintained,
        is_expected,
        value_json_kind,
        value_text,
        value_status,
        value_status = 'valid' as is_valid,
        value_status = 'missing' as is_missing,
        case value_status
            when
                'date_as_string'
                then attribute
                    || ' holds the text '''
                    || value_text
                    || ''' where Intercom keeps a date (unix seconds)'
            when
                'wrong_type'
                then attribute
                    || ' holds a '
                    || value_json_kind
                    || ' ('
                    || value_text
                    || ') where Intercom keeps a '
                    || data_type
            when
                'negative_timestamp'
                then attribute || ' holds a negative timestamp (' || value_text || ')'
            when
                'far_future_timestamp'
                then attribute
                    || ' holds a timestamp on or after {{ var("timestamp_valid_before") }} ('
                    || value_text
                    || ')'
            when
                'timestamp_out_of_range'
                then attribute
                    || ' holds a timestamp before '
                    || {{ iso_date('earliest_valid_date') }}
                    || ' ('
                    || value_text
                    || ')'
        end as invalid_reason,
        case when value_status = 'valid' and data_type = 'date' then value_integer end
            as value_seconds,
        case
            when
                value_status = 'valid' and value_kind = 'calendar_date'
                then {{ unix_to_utc_date('value_integer') }}
        end as value_date,
        case
            when
                value_status = 'valid' and value_kind = 'instant'
                then {{ unix_to_timestamptz('value_integer') }}
        end as value_at,
        case when value_status = 'valid' and data_type = 'string' then trim(value_text) end
            as value_string
    from classified
)

select * from typed

with

latest as (
    {{ latest_versions('data_attributes') }}
),

data_attributes as (
    select
        id as data_attribute_id,
        {{ json_text('record', ['model']) }} as model,
        {{ json_text('record', ['name']) }} as name,
        {{ json_text('record', ['data_type']) }} as data_type,
        coalesce(cast({{ json_text('record', ['custom']) }} as {{ dbt.type_boolean() }}), false)
            as is_custom,
        coalesce(cast({{ json_text('record', ['archived']) }} as {{ dbt.type_boolean() }}), false)
            as is_archived,
        coalesce(
            cast({{ json_text('record', ['api_writable']) }} as {{ dbt.type_boolean() }}),
            false
        ) as is_api_writable
    from latest
    where not is_deleted
)

select * from data_attributes

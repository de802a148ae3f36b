{#- Every value is one of this column's labels in the mart day_buckets (bucket_column = the
    column's name), so the labels a model writes and the ones reports list are the same. -#}
{% test is_a_day_bucket(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} not in (
    select bucket from {{ ref('day_buckets') }}
    where bucket_column = '{{ column_name }}'
)
{% endtest %}

{#- Every piece of dirty data found, one row per issue, with a readable reason. Nothing listed here
    crashes a build or feeds a write: dirty values are treated as missing. `issue_kind` uses the
    names of docs/architecture.md ("Dirty data"). -#}
with

attribute_values as (
    select * from {{ ref('int_contact_attribute_values') }}
),

contacts as (
    select * from {{ ref('int_contacts') }}
),

conversations as (
    select * from {{ ref('int_conversations') }}
),

conversation_members as (
    select * from {{ ref('int_conversation_members') }}
),

expected_attributes as (
    select * from {{ ref('intercom_attributes') }}
),

workspace_attributes as (
    select * from {{ ref('stg_intercom__data_attributes') }}
),

workspace_attribute_count as (
    select count(*) as attribute_count from workspace_attributes
),

dirty_values as (
    select
        value_status as issue_kind,
        'contact' as object_type,
        contact_id as object_id,
        contact_id,
        cast(null as {{ dbt.type_string() }}) as conversation_id,
        attribute as field,
        value_text as value,
        invalid_reason as reason
    from attribute_values
    where not is_valid and not is_missing
),

missing_values as (
    select
        'missing_attribute' as issue_kind,
        'contact' as object_type,
        attribute_values.contact_id as object_id,
        attribute_values.contact_id,
        cast(null as {{ dbt.type_string() }}) as conversation_id,
        attribute_values.attribute as field,
        cast(null as {{ dbt.type_string() }}) as value,
        'user has no ' || attribute_values.attribute as reason
    from attribute_values
    inner join contacts
        on contacts.contact_id = attribute_values.contact_id
    where contacts.is_user and attribute_values.is_expected and attribute_values.is_missing
),

name_issues as (
    select
        case when name is null then 'missing_attribute' else 'unusual_name' end as issue_kind,
        'contact' as object_type,
        contact_id as object_id,
        contact_id,
        cast(null as {{ dbt.type_string() }}) as conversation_id,
        'name' as field,
        name as value,
        case
            when name is null then 'user has no name'
            else 'name has one word; the export leaves name_last empty'
        end as reason
    from contacts
    where is_user and (name is null or name_last is null)
),

duplicate_groups as (
    select
        lower(name) as name_key,
        date_of_birth,
        count(*) as member_count
    from contacts
    where is_user and name is not null and date_of_birth is not null
    group by lower(name), date_of_birth
    having count(*) > 1
),

duplicate_looking as (
    select
        'duplicate_looking_member' as issue_kind,
        'contact' as object_type,
        contacts.contact_id as object_id,
        contacts.contact_id,
        cast(null as {{ dbt.type_string() }}) as conversation_id,
        'name' as field,
        contacts.name as value,
        'same name and Date of Birth as '
        || cast(duplicate_groups.member_count - 1 as {{ dbt.type_string() }})
        || ' other user(s); different people or one member entered twice?' as reason
    from contacts
    inner join duplicate_groups
        on duplicate_groups.name_key = lower(contacts.name)
        and duplicate_groups.date_of_birth = contacts.date_of_birth
    where contacts.is_user
),

listed_contact_issues as (
    select
        case conversation_members.contact_status
            when 'lead' then 'lead_on_session'
            else 'orphan_contact_reference'
        end as issue_kind,
        'conversation' as object_type,
        conversations.conversation_id as object_id,
        conversation_members.contact_id,
        conversations.conversation_id,
        'contacts' as field,
        conversation_members.contact_id as value,
        case conversation_members.contact_status
            when 'lead'
                then 'a lead is listed on a coaching session; leads are not members and get no credit' -- noqa: LT05
            else 'lists a contact that no longer exists (deleted or merged away)'
        end as reason
    from conversation_members
    inner join conversations
        on conversations.conversation_id = conversation_members.conversation_id
    where conversation_members.contact_status = 'missing'
        or (conversation_members.contact_status = 'lead' and conversations.is_coaching_session)
),

conversation_issues as (
    {%- set checks = [
        ("missing_channel", "Channel", "channel_raw", "channel_raw is null or trim(channel_raw) = ''", "'conversation has no Channel'"),
        ("unknown_channel", "Channel", "channel_raw", "trim(channel_raw) <> '' and channel is null", "'Channel ''' || channel_raw || ''' is not in the channels seed (exact match after trimming)'"),
        ("missing_channel", "Service Code", "service_code_raw", "service_code_raw is null or trim(service_code_raw) = ''", "'conversation has no Service Code'"),
        ("unknown_service_code", "Service Code", "service_code_raw", "trim(service_code_raw) <> '' and service_code is null", "'Service Code ''' || service_code_raw || ''' is not in the service_codes seed (exact match after trimming)'"),
        ("conversation_without_contact", "contacts", "cast(contact_count as " ~ dbt.type_string() ~ ")", "contact_count = 0", "'conversation lists no contact; nobody gets credit for it'"),
        ("no_coach", "admin_assignee_id", "admin_assignee_id", "(is_coaching_session and coach_id is null) or has_unknown_assignee", "case when coach_id is not null then 'admin assignee ' || admin_assignee_id || ' is not an admin; the first teammate is the coach' when admin_assignee_id is null and first_teammate_id is null then 'coaching session with no admin assignee and no teammates' else 'coaching session whose assignee and first teammate are not admins' end"),
    ] -%}
    {%- for kind, field, value, condition, reason in checks %}
    select
        '{{ kind }}' as issue_kind,
        'conversation' as object_type,
        conversation_id as object_id,
        cast(null as {{ dbt.type_string() }}) as contact_id,
        conversation_id,
        '{{ field }}' as field,
        {{ value }} as value,
        {{ reason }} as reason
    from conversations
    where {{ condition }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

attribute_definitions as (
    select
        'attribute_definition' as issue_kind,
        'data_attribute' as object_type,
        expected_attributes.model || '.' || expected_attributes.attribute as object_id,
        cast(null as {{ dbt.type_string() }}) as contact_id,
        cast(null as {{ dbt.type_string() }}) as conversation_id,
        expected_attributes.attribute as field,
        workspace_attributes.data_type as value,
        case
            when workspace_attributes.name is null
                then 'the workspace has no '
                    || expected_attributes.model
                    || ' attribute '
                    || expected_attributes.attribute
            else expected_attributes.attribute
                || ' is a '
                || workspace_attributes.data_type
                || ' attribute in Intercom; the product expects '
                || expected_attributes.data_type
        end as reason
    from expected_attributes
    left join workspace_attributes
        on workspace_attributes.model = expected_attributes.model
        and workspace_attributes.name = expected_attributes.attribute
    where (select workspace_attribute_count.attribute_count from workspace_attribute_count) > 0
        and (
            workspace_attributes.name is null
            or workspace_attributes.data_type <> expected_attributes.data_type
        )
),

all_issues as (
    select * from dirty_values
    union all
    select * from missing_values
    union all
    select * from name_issues
    union all
    select * from duplicate_looking
    union all
    select * from listed_contact_issues
    union all
    select * from conversation_issues
    union all
    select * from attribute_definitions
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "issue_kind", "'|'", "object_id", "'|'",
            "coalesce(field, '')", "'|'", "coalesce(contact_id, '')",
        ])) }} as issue_id,
        *
    from all_issues
)

select * from final

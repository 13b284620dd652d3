-- Role definitions, so that every process on one store (the code app, each host) knows the same roles and refuses
-- unknown ones. The built-in role admin (everything) is not stored. grants: permissions joined with ','; inherits:
-- role names joined with ','; either may be empty.

create table code_role (
    name       varchar(63) not null primary key,
    grants     varchar     not null,
    inherits   varchar     not null,
    updated_at timestamp with time zone not null
);

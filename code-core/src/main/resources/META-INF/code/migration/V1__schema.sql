-- CODE's durable state. Portable SQL: runs unchanged on H2 and PostgreSQL.

create table code_run (
    run_id       varchar(64)  not null primary key,
    name         varchar(200) not null,
    environment  varchar(100) not null,
    state        varchar(32)  not null,
    spec         varchar      not null,
    created_at   timestamp with time zone not null,
    updated_at   timestamp with time zone not null,
    lease_owner  varchar(200),
    lease_until  timestamp with time zone
);
create index code_run_state on code_run (state, created_at);

create table code_step (
    run_id       varchar(64)  not null references code_run (run_id) on delete cascade,
    service      varchar(64)  not null,
    state        varchar(32)  not null,
    attempt      integer      not null,
    started_at   timestamp with time zone,
    finished_at  timestamp with time zone,
    outputs      varchar      not null,
    error        varchar,
    position     integer      not null,
    primary key (run_id, service)
);

create table code_audit (
    seq          bigint       not null primary key,
    at           timestamp with time zone not null,
    principal    varchar(200) not null,
    action       varchar(200) not null,
    target       varchar(500) not null,
    outcome      varchar(16)  not null,
    detail       varchar      not null,
    prev_hash    char(64)     not null,
    hash         char(64)     not null
);

-- The head of the audit chain: one row, locked by each append, so appends from any number of processes
-- form one chain.
create table code_audit_head (
    id           integer      not null primary key,
    seq          bigint       not null,
    hash         char(64)     not null
);
insert into code_audit_head (id, seq, hash)
    values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

create table code_expert_stats (
    expert_id    varchar(200) not null primary key,
    answered     bigint       not null,
    correct      bigint       not null,
    updated_at   timestamp with time zone not null
);

create table code_lease (
    name         varchar(200) not null primary key,
    owner        varchar(200) not null,
    expires_at   timestamp with time zone not null
);

-- Agent runs and their journal. Each turn is written before the model is asked (state 'asked') and after it replied
-- ('replied', with the reply); each tool call before it runs ('started') and after ('done', with what the model was
-- told). A resumed run replays what is done, asks again a turn that has no reply, runs again a started call only if
-- its tool is idempotent, and otherwise stops. The run row holds the lease of the engine that runs it.

create table code_agent_run (
    run_id       varchar(64)  not null primary key,
    agent        varchar(63)  not null,
    principal    varchar(200) not null,
    spec         varchar      not null,
    task         varchar      not null,
    state        varchar(16)  not null,
    stop_reason  varchar(32),
    detail       varchar,
    answer       varchar,
    elapsed_ms   bigint       not null,
    created_at   timestamp with time zone not null,
    updated_at   timestamp with time zone not null,
    lease_owner  varchar(200),
    lease_until  timestamp with time zone
);
create index code_agent_run_state on code_agent_run (state, created_at);

create table code_agent_turn (
    run_id       varchar(64)  not null references code_agent_run (run_id) on delete cascade,
    turn         integer      not null,
    state        varchar(16)  not null,
    reply        varchar,
    primary key (run_id, turn)
);

create table code_agent_call (
    run_id       varchar(64)  not null references code_agent_run (run_id) on delete cascade,
    turn         integer      not null,
    position     integer      not null,
    call_id      varchar(200) not null,
    tool         varchar(200) not null,
    arguments    varchar      not null,
    state        varchar(16)  not null,
    result       varchar,
    status       varchar(16),
    primary key (run_id, turn, position)
);

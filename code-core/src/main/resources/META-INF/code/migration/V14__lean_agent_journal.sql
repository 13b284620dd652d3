-- The agent journal without indexes that no query uses. On H2 every index is one more B-tree whose changed leaf, and
-- the path to its root, each commit writes to the file again; a turn's write touched up to three of them for nothing.
--
-- code_agent_run (state, created_at): no query reads runs by state; runs are found by their id.
drop index code_agent_run_state;

-- A write that carries a turn's reply keeps the time the run has taken on the turn's row (elapsed_ms), and only locks
-- the run's row to check who holds it: an update of the run's row rewrote it and its key's index in each commit. A
-- resumed run counts its time from the larger of the run's elapsed_ms and its turns'.
--
-- The foreign keys from turns and calls to their run: H2 keeps an index of its own for each (on run_id), beside the
-- primary key that starts with run_id already. The journal needs no key to hold its rows to a run: they are written
-- only in the transaction of a journal write, which first finds the run's row held by the writer (the lease fence),
-- and CODE never deletes a run. Whoever deletes runs by hand deletes their turns and calls with them. The tables are
-- renamed before anything is read from them, so a host still on the old version cannot commit a row between the copy
-- and the drop.
alter table code_agent_turn rename to code_agent_turn_v10;
alter table code_agent_call rename to code_agent_call_v10;

create table code_agent_turn (
    run_id       varchar(64)  not null,
    turn         integer      not null,
    state        varchar(16)  not null,
    reply        varchar,
    elapsed_ms   bigint       not null default 0,
    primary key (run_id, turn)
);
insert into code_agent_turn (run_id, turn, state, reply) select run_id, turn, state, reply from code_agent_turn_v10;

create table code_agent_call (
    run_id       varchar(64)  not null,
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
insert into code_agent_call (run_id, turn, position, call_id, tool, arguments, state, result, status)
    select run_id, turn, position, call_id, tool, arguments, state, result, status from code_agent_call_v10;

drop table code_agent_turn_v10;
drop table code_agent_call_v10;

-- A run's spec (the whole deployment as JSON, often many kilobytes) moves to a table of its own. The run row is
-- locked and rewritten on every lease check and state change; with the spec inside, each of those rewrote the spec.

create table code_run_spec (
    run_id       varchar(64)  not null primary key references code_run (run_id) on delete cascade,
    spec         varchar      not null
);
insert into code_run_spec (run_id, spec) select run_id, spec from code_run;
alter table code_run drop column spec;

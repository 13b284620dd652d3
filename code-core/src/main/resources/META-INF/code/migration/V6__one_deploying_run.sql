-- At most one unfinished run per deployment (name + environment), across every engine on the store. A run is created
-- only while its deployment's row here is locked (select ... for update), and only when no other run of the
-- deployment is unfinished. The row is nothing but a lock: the runs say which one is unfinished. Row locks work
-- alike on H2 and PostgreSQL, where advisory locks would not.

create table code_deployment (
    name         varchar(200) not null,
    environment  varchar(100) not null,
    primary key (name, environment)
);
create index code_run_deployment on code_run (name, environment, state);

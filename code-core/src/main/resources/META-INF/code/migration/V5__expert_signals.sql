-- Reliability is counted per expert and per signal (the situation an answer was in: all, support:alone, shape:integer...).
-- The old table held one row per expert and was never written by a released face, so it is replaced, not migrated.
drop table code_expert_stats;

create table code_expert_stats (
    expert_id    varchar(200) not null,
    signal       varchar(100) not null,
    answered     bigint       not null,
    correct      bigint       not null,
    updated_at   timestamp with time zone not null,
    primary key (expert_id, signal)
);

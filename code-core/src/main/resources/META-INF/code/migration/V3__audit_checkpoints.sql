-- Signed statements of the audit log's size and Merkle root (RFC 6962), so that a truncated or rewritten log is
-- caught against a key the verifier pins.

create table code_audit_checkpoint (
    tree_size    bigint       not null primary key,
    root         char(64)     not null,
    signature    varchar(200) not null,
    key_id       varchar(200) not null,
    at           timestamp with time zone not null
);

-- Accounts, API keys, sessions, failed-attempt counters and the secret vault. Secrets are never stored in clear:
-- passwords as Argon2id PHC strings, API keys and session tokens as SHA-256 hashes, vault entries AES-256-GCM.

create table code_account (
    username      varchar(200) not null primary key,
    password_hash varchar(300) not null,
    roles         varchar      not null,
    disabled      boolean      not null,
    totp_secret   varchar(400),
    totp_last     bigint       not null,
    created_at    timestamp with time zone not null
);

create table code_api_key (
    key_id       varchar(64)  not null primary key,
    owner        varchar(200) not null,
    hash         char(64)     not null,
    roles        varchar      not null,
    expires_at   timestamp with time zone,
    revoked      boolean      not null,
    created_at   timestamp with time zone not null
);

create table code_session (
    token_hash   char(64)     not null primary key,
    username     varchar(200) not null,
    created_at   timestamp with time zone not null,
    last_seen_at timestamp with time zone not null,
    expires_at   timestamp with time zone not null
);
create index code_session_user on code_session (username);

create table code_auth_failure (
    subject      varchar(300) not null primary key,
    failures     integer      not null,
    last_failure timestamp with time zone not null,
    locked_until timestamp with time zone
);

create table code_vault_key (
    key_id       varchar(64)  not null primary key,
    wrapped      varchar(200) not null,
    active       boolean      not null,
    created_at   timestamp with time zone not null
);

create table code_vault_secret (
    name         varchar(200) not null primary key,
    key_id       varchar(64)  not null references code_vault_key (key_id),
    sealed       varchar      not null,
    updated_at   timestamp with time zone not null
);

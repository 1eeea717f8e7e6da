-- The studio's own state: who may sign in, their API tokens, the shoots. Photos themselves are
-- S3 objects (uploads/<shoot id>/...), their processing jobs S3 records: never copied here.

CREATE TABLE staff (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           text NOT NULL UNIQUE CHECK (email = lower(email)),
    name            text NOT NULL DEFAULT '',
    password_hash   text NOT NULL,                 -- argon2id
    session_epoch   integer NOT NULL DEFAULT 0,    -- raised to sign every session out
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_id        bigint NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    name            text NOT NULL,
    token_hash      text NOT NULL UNIQUE,          -- sha256 of the token: the token is never stored
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz,
    revoked_at      timestamptz
);

CREATE TABLE shoots (
    id              text PRIMARY KEY CHECK (id ~ '^[a-z0-9]{12}$'),  -- its folder under the upload prefix
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    default_spec    jsonb NOT NULL,                -- the look new uploads get (edit spec, compact)
    created_by      bigint REFERENCES staff (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- SNS message ids already acted on: a replayed message is refused by any instance.
CREATE TABLE sns_messages (
    message_id      text PRIMARY KEY,
    received_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sns_messages_received_at ON sns_messages (received_at);

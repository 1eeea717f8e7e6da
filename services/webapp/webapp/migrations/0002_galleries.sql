-- Client galleries: share links (one per recipient), and what clients say through them.

CREATE TABLE share_links (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shoot_id        text NOT NULL REFERENCES shoots (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    -- The token in the link's URL is an HMAC of the id and this nonce under the app's secret:
    -- unguessable, never stored, and the photographer can see the link again.
    nonce           text NOT NULL,
    expires_at      timestamptz,
    pin_hash        text,                          -- argon2id; none: no PIN
    pin_version     integer NOT NULL DEFAULT 0,    -- a new PIN locks out who opened the old one
    downloads       text NOT NULL CHECK (downloads IN ('none', 'web', 'full')),
    proofs          boolean NOT NULL,              -- the client sees only watermarked proofs
    revoked_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX share_links_shoot ON share_links (shoot_id);

CREATE TABLE favourites (
    link_id         bigint NOT NULL REFERENCES share_links (id) ON DELETE CASCADE,
    photo_key       text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (link_id, photo_key)
);

CREATE TABLE comments (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_id         bigint NOT NULL REFERENCES share_links (id) ON DELETE CASCADE,
    photo_key       text NOT NULL,
    body            text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_link ON comments (link_id, created_at);

-- "Send selection": the favourites as they were when the client sent them.
CREATE TABLE selections (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_id         bigint NOT NULL REFERENCES share_links (id) ON DELETE CASCADE,
    photo_keys      jsonb NOT NULL,
    sent_at         timestamptz NOT NULL DEFAULT now()
);

-- Wrong PINs, to slow guessing: per link and address, and per link overall.
CREATE TABLE pin_failures (
    link_id         bigint NOT NULL REFERENCES share_links (id) ON DELETE CASCADE,
    address         text NOT NULL,
    failed_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pin_failures_recent ON pin_failures (link_id, failed_at);

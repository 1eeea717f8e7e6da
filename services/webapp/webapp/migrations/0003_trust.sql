-- Trust: sessions kept on the server, accounts that can be disabled, tokens that expire, limits
-- shared by every instance, PIN guesses counted atomically, slots a link may hold at once.

-- A browser's session: the cookie holds a random id, this table its SHA-256. Signing out deletes
-- the row, so a cookie saved before opens nothing after. Clients of galleries have sessions too
-- (their PIN unlocks, the CSRF token), without an account.
CREATE TABLE sessions (
    id_hash         text PRIMARY KEY,              -- sha256 of the cookie's id
    staff_id        bigint REFERENCES staff (id) ON DELETE CASCADE,
    data            jsonb NOT NULL DEFAULT '{}',
    user_agent      text NOT NULL DEFAULT '',      -- shown on the account page: which browser this is
    address         text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL           -- the absolute limit, whatever the activity
);
CREATE INDEX sessions_staff ON sessions (staff_id) WHERE staff_id IS NOT NULL;
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

-- The epoch in the cookie is gone: sessions are rows now.
ALTER TABLE staff DROP COLUMN session_epoch;
ALTER TABLE staff ADD COLUMN disabled_at timestamptz;

ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
CREATE INDEX api_tokens_staff ON api_tokens (staff_id);

-- Rate limits, one row per key and window: every instance counts in the same place. Unlogged:
-- losing the counts in a crash only forgives a few requests.
CREATE UNLOGGED TABLE rate_limits (
    key             text PRIMARY KEY,
    hits            integer NOT NULL,
    expires_at      timestamptz NOT NULL
);
CREATE INDEX rate_limits_expires ON rate_limits (expires_at);

-- PIN guesses per link and address: one guess in flight at a time, and a wait after each wrong
-- one that doubles; the link's total is kept so that the studio sees an attack and can lock it.
DROP TABLE pin_failures;
CREATE TABLE pin_guesses (
    link_id         bigint NOT NULL REFERENCES share_links (id) ON DELETE CASCADE,
    address         text NOT NULL,
    failures        integer NOT NULL DEFAULT 0,
    blocked_until   timestamptz NOT NULL DEFAULT now(),  -- no guess is checked before then
    checking_until  timestamptz NOT NULL DEFAULT now(),  -- a guess is being checked: others wait
    last_failed_at  timestamptz,
    PRIMARY KEY (link_id, address)
);
ALTER TABLE share_links ADD COLUMN pin_failures integer NOT NULL DEFAULT 0;  -- wrong PINs since the PIN was set
ALTER TABLE share_links ADD COLUMN locked_at timestamptz;  -- too many wrong PINs: no new unlock until the studio clears it

-- What a link (or a staff member) holds open at once, across instances: event streams, archives.
-- A holder renews its slot while it runs; a slot not renewed for a while is free again (an
-- instance that died does not keep it).
CREATE TABLE held_slots (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL,                 -- 'events', 'archive'
    holder          text NOT NULL,                 -- 'link:<id>', 'staff:<id>'
    renewed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX held_slots_holder ON held_slots (kind, holder, renewed_at);

-- A selection's email: at most one per link every few minutes; a later send updates the selection.
ALTER TABLE selections ADD COLUMN emailed_at timestamptz;
ALTER TABLE selections ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- Proofs stay proofs: a proofs link downloads watermarked web-size proofs at most; the clean
-- files need a delivery link.
UPDATE share_links SET downloads = 'web' WHERE proofs AND downloads = 'full';
ALTER TABLE share_links ADD CONSTRAINT share_links_proofs_stay_proofs CHECK (NOT proofs OR downloads IN ('none', 'web'));

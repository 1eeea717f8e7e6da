-- Archives built in S3 by the archiver (photo_jobs.archives): what was asked for, how far it is,
-- its parts when ready, and who is to hear when it is.

CREATE TABLE archives (
    id              text PRIMARY KEY,              -- archives.archive_id: what it holds
    shoot_id        text NOT NULL REFERENCES shoots (id) ON DELETE CASCADE,
    title           text NOT NULL,
    state           text NOT NULL CHECK (state IN ('building', 'ready', 'failed')),
    bytes_done      bigint NOT NULL DEFAULT 0,
    bytes_total     bigint NOT NULL,
    entries         integer NOT NULL,
    parts           jsonb NOT NULL DEFAULT '[]',   -- [{key, bytes, entries}] when ready
    error           text,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX archives_shoot ON archives (shoot_id, requested_at);

-- Who asked for an archive: a link (its pages hear its progress) or a staff member, and an email
-- to tell when it is ready (sent once).
CREATE TABLE archive_requests (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    archive_id      text NOT NULL REFERENCES archives (id) ON DELETE CASCADE,
    link_id         bigint REFERENCES share_links (id) ON DELETE CASCADE,
    staff_id        bigint REFERENCES staff (id) ON DELETE CASCADE,
    email           text,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    notified_at     timestamptz
);
CREATE INDEX archive_requests_archive ON archive_requests (archive_id) WHERE notified_at IS NULL;

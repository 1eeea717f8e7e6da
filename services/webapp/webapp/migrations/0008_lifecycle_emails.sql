-- Lifecycle emails: who a link's emails go to, what was sent (each email at most once), and who
-- asked for no more.

-- The selection deadline (added by the proofing rules too: the same idempotent line).
ALTER TABLE share_links ADD COLUMN IF NOT EXISTS selection_deadline timestamptz;

-- The clients' addresses the studio entered for a link: "gallery is ready" and the reminders go there.
CREATE TABLE IF NOT EXISTS link_recipients (
    link_id         bigint NOT NULL REFERENCES share_links (id) ON DELETE CASCADE,
    email           text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    added_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (link_id, email)
);

-- Every lifecycle email sent, by what makes it that email (services.lifecycle.Email.key): the
-- primary key is what makes a second tick, or two instances at once, send nothing twice.
CREATE TABLE IF NOT EXISTS lifecycle_emails (
    key             text PRIMARY KEY,
    kind            text NOT NULL,
    link_id         bigint REFERENCES share_links (id) ON DELETE CASCADE,
    recipient       text NOT NULL,
    sent_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS lifecycle_emails_link ON lifecycle_emails (link_id);

-- "Unsubscribe": an address that wants no more emails of a scope ("link:<id>", or "digest").
-- Kept apart from the recipients, so that the studio entering the address again does not undo it.
CREATE TABLE IF NOT EXISTS email_unsubscribes (
    scope           text NOT NULL,
    email           text NOT NULL,
    unsubscribed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, email)
);

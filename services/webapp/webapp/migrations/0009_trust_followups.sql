-- What an archive holds (the rendition), so that a link asks only for what it allows now: a
-- delivery link switched to proofs gets no more links to the clean archive it asked for before.
ALTER TABLE archives ADD COLUMN IF NOT EXISTS rendition text;

-- Which address of the link asked (the couple's or the guests'): the "ready" email links back to
-- that one, never a guest to the couple's.
ALTER TABLE archive_requests ADD COLUMN IF NOT EXISTS role text CHECK (role IN ('couple', 'guest'));

-- Selection emails, at most one per link every few minutes: when one went, and whether
-- submissions since (selections.emailed_at still NULL) wait for the next: sent by a later
-- submission or by the tick.
ALTER TABLE share_links ADD COLUMN IF NOT EXISTS selection_emailed_at timestamptz;

-- A shoot may keep its photos' location (GPS) in the copies clients get; by default it is stripped.
ALTER TABLE shoots ADD COLUMN IF NOT EXISTS keep_gps boolean NOT NULL DEFAULT false;

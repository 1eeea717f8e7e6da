-- Visitors and proofing rules: a link's visitors are known by name (the couple, its main client,
-- and the guests it invites), each with their own favourites, comments and selection; what they
-- do is logged for the studio; a link may set how many photos to choose, and by when.

-- Who may do what on a link, and its proofing rules.
ALTER TABLE share_links ADD COLUMN IF NOT EXISTS ask_visitors boolean NOT NULL DEFAULT false;  -- name and email on first open
ALTER TABLE share_links ADD COLUMN IF NOT EXISTS guests text NOT NULL DEFAULT 'view'
    CHECK (guests IN ('view', 'download'));  -- what the guests' address allows; the couple has the link's downloads
ALTER TABLE share_links ADD COLUMN IF NOT EXISTS min_selection integer CHECK (min_selection BETWEEN 1 AND 10000);
ALTER TABLE share_links ADD COLUMN IF NOT EXISTS max_selection integer CHECK (max_selection BETWEEN 1 AND 10000);
ALTER TABLE share_links ADD COLUMN IF NOT EXISTS selection_deadline timestamptz;
ALTER TABLE share_links ADD CONSTRAINT share_links_selection_range CHECK (min_selection <= max_selection);

-- A person who opened a link: bound to their browser's gallery session. Role 'couple' came by the
-- link's own address (the main client), 'guest' by its guests' address.
CREATE TABLE visitors (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_id         bigint NOT NULL REFERENCES share_links (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    email           text CHECK (length(email) <= 200),
    role            text NOT NULL CHECK (role IN ('couple', 'guest')),
    main            boolean NOT NULL DEFAULT false,   -- the link's own client: the one a link without names uses
    submitted_at    timestamptz,                      -- their selection is submitted: locked until the studio reopens it
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX visitors_link ON visitors (link_id, id);
CREATE UNIQUE INDEX visitors_main ON visitors (link_id) WHERE main;

-- Every link has its main visitor; what links said until now was theirs.
INSERT INTO visitors (link_id, name, role, main) SELECT id, name, 'couple', true FROM share_links;

ALTER TABLE favourites ADD COLUMN visitor_id bigint REFERENCES visitors (id) ON DELETE CASCADE;
UPDATE favourites f SET visitor_id = v.id FROM visitors v WHERE v.link_id = f.link_id AND v.main;
ALTER TABLE favourites ALTER COLUMN visitor_id SET NOT NULL;
ALTER TABLE favourites DROP CONSTRAINT favourites_pkey;
ALTER TABLE favourites ADD PRIMARY KEY (visitor_id, photo_key);
CREATE INDEX favourites_link ON favourites (link_id, photo_key);

ALTER TABLE comments ADD COLUMN visitor_id bigint REFERENCES visitors (id) ON DELETE CASCADE;
UPDATE comments c SET visitor_id = v.id FROM visitors v WHERE v.link_id = c.link_id AND v.main;
ALTER TABLE comments ALTER COLUMN visitor_id SET NOT NULL;
CREATE INDEX comments_visitor ON comments (visitor_id, created_at);

ALTER TABLE selections ADD COLUMN visitor_id bigint REFERENCES visitors (id) ON DELETE CASCADE;
UPDATE selections s SET visitor_id = v.id FROM visitors v WHERE v.link_id = s.link_id AND v.main;
ALTER TABLE selections ALTER COLUMN visitor_id SET NOT NULL;
-- The main visitor's last sent selection (before rules) counts as submitted: it stays as it was sent.
UPDATE visitors v SET submitted_at = s.sent_at
  FROM (SELECT visitor_id, max(updated_at) AS sent_at FROM selections GROUP BY visitor_id) s WHERE s.visitor_id = v.id;

-- What visitors did, for the studio: who viewed, favourited, commented and downloaded what, when.
CREATE TABLE activity (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_id         bigint NOT NULL REFERENCES share_links (id) ON DELETE CASCADE,
    visitor_id      bigint NOT NULL REFERENCES visitors (id) ON DELETE CASCADE,
    action          text NOT NULL,                    -- viewed, favourited, unfavourited, commented, downloaded, ...
    photo_key       text,
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_link ON activity (link_id, id);
CREATE INDEX activity_visitor ON activity (visitor_id, action, at);

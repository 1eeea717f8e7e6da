-- The studio's settings (one row): the rights every delivered file carries (the creator, the
-- notice and the contact details, as IPTC Core's creator contact info) and the brand galleries and
-- emails show (a name, a logo, an accent colour). An empty text means the default (the stack's
-- studio name; the notice "© {year} <name>"), so a new studio needs no row.

CREATE TABLE studio_settings (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),   -- the one row
    name        text NOT NULL DEFAULT '',
    creator     text NOT NULL DEFAULT '',
    notice      text NOT NULL DEFAULT '',
    email       text NOT NULL DEFAULT '',
    phone       text NOT NULL DEFAULT '',
    address     text NOT NULL DEFAULT '',
    city        text NOT NULL DEFAULT '',
    country     text NOT NULL DEFAULT '',
    url         text NOT NULL DEFAULT '',
    accent      text NOT NULL DEFAULT '' CHECK (accent = '' OR accent ~ '^#[0-9a-f]{6}$'),
    logo        bytea CHECK (octet_length(logo) <= 1048576),   -- re-encoded by the app (services/studio.py)
    logo_type   text CHECK (logo_type IN ('image/png', 'image/webp')),
    logo_width  integer,
    logo_height integer,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  bigint REFERENCES staff (id) ON DELETE SET NULL
);

-- Photos as rows: each photo's current state, projected from the processor's events (and from
-- uploads as they complete, and edits as they are asked for). The S3 job records stay the source
-- of truth: `vividart-admin photos rebuild` compares the rows with them and repairs the difference.

CREATE TABLE photos (
    key             text PRIMARY KEY,              -- the source object's key
    folder          text NOT NULL,                 -- its folder under the upload prefix ('' straight under it)
    path            text NOT NULL,                 -- the key within its folder
    name            text NOT NULL,
    sort_name       text NOT NULL,                 -- file-name order as a photographer reads it (IMG_2 before IMG_10)
    size            bigint NOT NULL,
    uploaded_at     timestamptz NOT NULL,          -- the current version's LastModified
    version         text NOT NULL,                 -- keys.job_version of the current version
    job_id          text NOT NULL,                 -- keys.job_id(key, version): the job this row waits for or shows
    status          text NOT NULL CHECK (status IN ('processing', 'processed', 'failed')),
    error           jsonb,                         -- {reason, message} when failed
    spec            jsonb,                         -- the spec as the job recorded it
    outputs         jsonb NOT NULL DEFAULT '[]',   -- the renditions on offer (the current job's, or an earlier one's while it runs)
    shown_job_id    text,                          -- the job those renditions are from
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- One query per page of a shoot, in order, and counts by state.
CREATE INDEX photos_folder_order ON photos (folder, sort_name, key);
CREATE INDEX photos_folder_status ON photos (folder, status);

-- When the projection was last built from S3 as a whole (the first start of this version builds it).
CREATE TABLE projections (
    name            text PRIMARY KEY,
    built_at        timestamptz NOT NULL
);

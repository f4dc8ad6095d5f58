-- CSV imports uploaded through the admin UI, run by the import-jobs service
-- of any serve process. The file is a large object (file_oid) written with
-- the job row in one transaction and unlinked when the job ends; its size
-- is bounded by the upload limit. A running job holds a lease
-- (locked_until), renewed while its process lives; a job whose lease
-- expired is queued work again. The import itself is one transaction, so a
-- job runs again from the start after a crash or a stop.
CREATE TABLE import_jobs (
    id           bigserial PRIMARY KEY,
    list_slug    text NOT NULL,
    user_id      bigint REFERENCES users ON DELETE SET NULL,
    file_oid     oid,    -- NULL once the job has ended
    file_bytes   bigint NOT NULL DEFAULT 0,
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    locked_until timestamptz,
    rows_read    integer NOT NULL DEFAULT 0,
    result       jsonb,  -- bulletin.ImportResult: counts and line errors
    error        text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE INDEX import_jobs_waiting_idx ON import_jobs (id) WHERE status IN ('queued', 'running');

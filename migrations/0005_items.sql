-- Baseline: contributed items, reviewed, then compiled into an issue.

CREATE TABLE items (
    id             bigserial PRIMARY KEY,
    newsletter_id  bigint NOT NULL REFERENCES newsletters ON DELETE CASCADE,
    section_id     bigint REFERENCES sections ON DELETE SET NULL,
    issue_id       bigint REFERENCES issues ON DELETE SET NULL,
    contributor_id bigint REFERENCES users ON DELETE SET NULL,
    kind           text NOT NULL DEFAULT 'article' CHECK (kind IN ('article', 'link')),
    title          text NOT NULL,
    body           text NOT NULL DEFAULT '',
    body_html      text NOT NULL DEFAULT '',
    url            text NOT NULL DEFAULT '',
    source         text NOT NULL DEFAULT '',
    closing        boolean NOT NULL DEFAULT false,
    status         text NOT NULL DEFAULT 'submitted'
                   CHECK (status IN ('submitted', 'approved', 'rejected')),
    position       integer NOT NULL DEFAULT 0, -- order within its section while under review
    issue_position integer,                    -- order within its issue, set when compiled
    review_note    text NOT NULL DEFAULT '',
    reviewed_by    bigint REFERENCES users ON DELETE SET NULL,
    approved_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    search         tsvector GENERATED ALWAYS AS (
                       setweight(to_tsvector('english', title), 'A') ||
                       setweight(to_tsvector('english', body), 'B') ||
                       setweight(to_tsvector('english', source), 'C')) STORED
);
CREATE INDEX items_search_idx ON items USING gin (search);
CREATE INDEX items_issue_idx ON items (issue_id, issue_position);
-- The compile query: approved items not yet in an issue.
CREATE INDEX items_ready_idx ON items (newsletter_id) WHERE status = 'approved' AND issue_id IS NULL;
-- Contributions: a contributor's own items, the review queue in section
-- order, items by status.
CREATE INDEX items_contributor_idx ON items (contributor_id);
CREATE INDEX items_order_idx ON items (newsletter_id, section_id, position) WHERE issue_id IS NULL;
CREATE INDEX items_status_idx ON items (status, newsletter_id);

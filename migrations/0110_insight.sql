-- Insight without tracking people: clicks and opens are counted per issue
-- and per link, never per subscriber. No IP, cookie or subscriber id is
-- stored anywhere here.

-- The links of an issue as compiled: the redirect /r/{issue}/{link_no}
-- answers with url, so a redirect can only go where the issue pointed.
CREATE TABLE issue_links (
    issue_id bigint  NOT NULL REFERENCES issues ON DELETE CASCADE,
    link_no  integer NOT NULL CHECK (link_no > 0),
    url      text    NOT NULL,
    item_id  bigint  REFERENCES items ON DELETE SET NULL, -- the item the link belongs to, if any
    PRIMARY KEY (issue_id, link_no)
);

-- Clicks per link per day (UTC). Each serve process counts in memory and
-- adds its counts here in batches, so no row is locked by every click.
CREATE TABLE link_clicks (
    issue_id bigint  NOT NULL,
    link_no  integer NOT NULL,
    day      date    NOT NULL,
    clicks   bigint  NOT NULL CHECK (clicks >= 0),
    PRIMARY KEY (issue_id, link_no, day),
    FOREIGN KEY (issue_id, link_no) REFERENCES issue_links ON DELETE CASCADE
);

-- Opens per issue per day, from one pixel URL per issue (off by default).
CREATE TABLE issue_opens (
    issue_id bigint NOT NULL REFERENCES issues ON DELETE CASCADE,
    day      date   NOT NULL,
    opens    bigint NOT NULL CHECK (opens >= 0),
    PRIMARY KEY (issue_id, day)
);

ALTER TABLE newsletters
    ADD COLUMN count_clicks boolean NOT NULL DEFAULT true,
    ADD COLUMN count_opens  boolean NOT NULL DEFAULT false;

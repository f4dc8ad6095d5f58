-- Archive search shows each item's body and source as plain words: no
-- emphasis or code marks, no heading or quote marks, a link's text without
-- its address, and never the private-use snippet markers (U+E000, U+E001),
-- which the search uses to mark matches. Computed once when an item is
-- written instead of for every item each time a search index is built.
ALTER TABLE items ADD COLUMN search_text text GENERATED ALWAYS AS (
    regexp_replace(regexp_replace(translate(body || E'\n' || source, E'\uE000\uE001*`', ''),
        '\[([^]]*)\]\([^)]*\)', '\1', 'g'), '(^|\n)[ \t]*(#+|>+)[ \t]*', '\1', 'g')) STORED;

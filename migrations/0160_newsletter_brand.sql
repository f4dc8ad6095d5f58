-- A newsletter's brand: a logo, an accent colour and an organisation line
-- (name and postal address), shown in the email and on its public pages.
-- '' means none. The service validates them (content.PrepareBrand); the
-- checks keep a hand-made UPDATE from storing a script URL or a bad colour.
ALTER TABLE newsletters
    ADD COLUMN logo_url text NOT NULL DEFAULT ''
        CHECK (logo_url = '' OR logo_url LIKE 'https://%'),
    ADD COLUMN accent_color text NOT NULL DEFAULT ''
        CHECK (accent_color = '' OR accent_color ~ '^#[0-9a-f]{6}$'),
    ADD COLUMN org_name text NOT NULL DEFAULT '',
    ADD COLUMN org_address text NOT NULL DEFAULT '';

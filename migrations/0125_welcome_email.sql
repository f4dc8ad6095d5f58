-- A welcome email when a reader joins through the public form (single
-- opt-in) or confirms a double opt-in sign-up made there. A newsletter can
-- switch it off; a list linked to any newsletter that switched it off
-- sends none.
ALTER TABLE newsletters ADD COLUMN welcome_email boolean NOT NULL DEFAULT true;

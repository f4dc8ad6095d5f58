-- The archive's pages show the brand (logo, accent, organisation line):
-- changing it drops the archive's cached pages, as a new name does.
CREATE CONSTRAINT TRIGGER newsletters_brand_archive_update AFTER UPDATE ON newsletters
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ((OLD.logo_url, OLD.accent_color, OLD.org_name, OLD.org_address)
          IS DISTINCT FROM (NEW.logo_url, NEW.accent_color, NEW.org_name, NEW.org_address))
    EXECUTE FUNCTION archive_changed();

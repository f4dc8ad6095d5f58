package postgres_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
	"bulletin/migrations"
)

// A database upgraded in the middle of a send keeps it going: rows claimed
// under the old 'sending' status stay leased as 'pending' (0042), and the
// per-issue counts start from what the deliveries say (0044).
func TestUpgradeMidSendKeepsLeasesAndCounts(t *testing.T) {
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.NewEmpty(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before := fstest.MapFS{}
	err = fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sql") || path >= "0042" {
			return err
		}
		data, err := fs.ReadFile(migrations.FS, path)
		before[path] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, before, nil); err != nil {
		t.Fatal(err)
	}
	var issue int64
	err = db.Pool.QueryRow(ctx, `WITH nl AS (INSERT INTO newsletters (slug, name) VALUES ('weekly', 'Weekly') RETURNING id),
			s AS (INSERT INTO subscribers (email, token) SELECT 'u' || g || '@example.org', 't' || g FROM generate_series(1, 4) g RETURNING id),
			i AS (INSERT INTO issues (newsletter_id, number, status) SELECT id, 1, 'sending' FROM nl RETURNING id),
			d AS (INSERT INTO deliveries (issue_id, subscriber_id, status, locked_until)
				SELECT i.id, s.id, (ARRAY['sent', 'failed', 'sending', 'pending'])[row_number() OVER (ORDER BY s.id)],
					CASE WHEN s.id = (SELECT min(id) + 2 FROM s) THEN now() + interval '1 hour' END
				FROM i, s)
		SELECT id FROM i`).Scan(&issue)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, migrations.FS, nil); err != nil {
		t.Fatal(err)
	}
	var leased, sending int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'pending' AND locked_until > now()),
		count(*) FILTER (WHERE status = 'sending') FROM deliveries`).Scan(&leased, &sending); err != nil {
		t.Fatal(err)
	}
	if leased != 1 || sending != 0 {
		t.Errorf("after the upgrade %d rows leased and %d 'sending'; want the claimed row pending under its lease", leased, sending)
	}
	c, err := db.IssueCounts(ctx, issue)
	if err != nil || c != (bulletin.Counts{Total: 4, Pending: 2, Sent: 1, Failed: 1}) {
		t.Errorf("counts after the upgrade: %+v, %v; want 4 in all, 2 pending, 1 sent, 1 failed", c, err)
	}
}

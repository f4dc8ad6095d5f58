package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// importBatch is how many good rows go to the staging table per COPY; it
// bounds the memory an import holds whatever the file's size.
const importBatch = 5000

// rank orders statuses from weakest to strongest. An import only ever moves
// a status up: it never re-subscribes someone who unsubscribed, bounced or
// was blocklisted, and re-running it changes nothing.
func rank(col string) string {
	return `array_position(ARRAY['pending','active','unsubscribed','bounced','blocklisted'], ` + col + `)`
}

// ImportSubscribers reads CSV with the header email,name[,status] from r
// and merges the good lines into the list; each bad line is reported with
// its line number and reason. The file is streamed: rows go to a temporary
// staging table in batches with COPY and are merged by one INSERT … ON
// CONFLICT per table, all in one transaction. A missing or wrong header is
// EINVALID and changes nothing.
func (db *DB) ImportSubscribers(ctx context.Context, slug string, r io.Reader, opt bulletin.ImportOptions) (*bulletin.ImportResult, error) {
	cr := newCSVReader(r)
	cols, err := readHeader(cr)
	if err != nil {
		return nil, err
	}
	res := &bulletin.ImportResult{Errors: []bulletin.ImportLineError{}}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		l, err := findList(ctx, tx, slug)
		if err != nil {
			return err
		}
		// The merge sorts and hashes the whole file: give it memory rather
		// than temporary files.
		if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '64MB'`); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_rows (line int, email text, name text, status text, token text)
			ON COMMIT DROP`); err != nil {
			return fmt.Errorf("import: staging table: %w", err)
		}
		good, read, err := stageRows(ctx, tx, cr, cols, res, opt)
		if err != nil {
			return err
		}
		if opt.Progress != nil && (read%progressEvery != 0 || read == 0) {
			opt.Progress(read)
		}
		return mergeImport(ctx, tx, l.ID, good, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// readHeader maps the header's column names to positions (email, name,
// status; status may be absent, giving -1).
func readHeader(cr *csvReader) ([3]int, error) {
	cols := [3]int{-1, -1, -1}
	_, _, rec, err := cr.Read()
	var bad *recordError
	if errors.Is(err, io.EOF) {
		return cols, bulletin.Errorf(bulletin.EINVALID, "the file is empty: want a header line email,name[,status]")
	} else if errors.As(err, &bad) {
		return cols, bulletin.Errorf(bulletin.EINVALID, "line %d: %s", bad.First, bad.Reason)
	} else if err != nil {
		return cols, bulletin.Errorf(bulletin.EINVALID, "line 1: %v", err)
	}
	for i, f := range rec {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(f, "\ufeff")))
		idx := map[string]int{"email": 0, "name": 1, "status": 2}[name]
		if _, known := map[string]bool{"email": true, "name": true, "status": true}[name]; !known || cols[idx] != -1 {
			return cols, bulletin.Errorf(bulletin.EINVALID, "line 1: the header must be email,name[,status]; found %q", strings.Join(rec, ","))
		}
		cols[idx] = i
	}
	if cols[0] == -1 || cols[1] == -1 {
		return cols, bulletin.Errorf(bulletin.EINVALID, "line 1: the header must be email,name[,status]; found %q", strings.Join(rec, ","))
	}
	return cols, nil
}

// progressEvery is how often, in rows read, an import reports progress.
const progressEvery = 10_000

// stageRows copies the good rows into import_rows in batches and records
// the bad ones in res. It returns the good rows and all data rows read
// (records, whether good or bad; blank lines are not rows). Progress is
// called every progressEvery rows; the caller reports the last count.
func stageRows(ctx context.Context, tx pgx.Tx, cr *csvReader, cols [3]int, res *bulletin.ImportResult, opt bulletin.ImportOptions) (good, read int, err error) {
	batch := make([][]any, 0, importBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"import_rows"}, []string{"line", "email", "name", "status", "token"}, pgx.CopyFromRows(batch))
		if err != nil {
			return fmt.Errorf("import: copy: %w", err)
		}
		good += len(batch)
		batch = batch[:0]
		return nil
	}
	for {
		first, last, rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var bad *recordError
		var tooLong *lineTooLongError
		if errors.As(err, &tooLong) {
			return 0, read, bulletin.Errorf(bulletin.EINVALID, "after %d rows: %v", read, err)
		} else if err != nil && !errors.As(err, &bad) {
			// Not a malformed line but an unreadable stream: nothing is kept.
			return 0, read, fmt.Errorf("import: read after %d rows: %w", read, err)
		}
		read++
		if opt.Progress != nil && read%progressEvery == 0 {
			opt.Progress(read)
		}
		if bad != nil {
			reject(res, bad.First, 0, bad.Reason)
			continue
		}
		row, err := parseRow(rec, cols)
		if err != nil {
			reject(res, first, last, bulletin.ErrorMessage(err))
			continue
		}
		batch = append(batch, []any{first, row[0], row[1], row[2], newToken()})
		if len(batch) == importBatch {
			if err := flush(); err != nil {
				return 0, read, err
			}
		}
	}
	return good, read, flush()
}

// parseRow validates one data row into email, name, status.
func parseRow(rec []string, cols [3]int) ([3]string, error) {
	var out [3]string
	want := 2
	if cols[2] >= 0 {
		want = 3
	}
	if len(rec) != want {
		return out, bulletin.Errorf(bulletin.EINVALID, "has %d fields, want %d", len(rec), want)
	}
	for _, f := range rec {
		if !utf8.ValidString(f) {
			return out, bulletin.Errorf(bulletin.EINVALID, "not valid UTF-8")
		}
	}
	email, err := bulletin.NormalizeEmail(bulletin.UnCSVCell(rec[cols[0]]))
	if err != nil {
		return out, err
	}
	name := strings.TrimSpace(bulletin.UnCSVCell(rec[cols[1]]))
	if err := bulletin.CheckName("name", name); err != nil {
		return out, err
	}
	status := bulletin.SubscriberActive
	if cols[2] >= 0 && strings.TrimSpace(rec[cols[2]]) != "" {
		status = strings.ToLower(strings.TrimSpace(rec[cols[2]]))
		switch status {
		case bulletin.SubscriberPending, bulletin.SubscriberActive, bulletin.SubscriberUnsubscribed,
			bulletin.SubscriberBounced, bulletin.SubscriberBlocklisted:
		default:
			return out, bulletin.Errorf(bulletin.EINVALID, "status %q is not one of active, pending, unsubscribed, bounced, blocklisted", clipStr(status))
		}
	}
	return [3]string{email, name, status}, nil
}

// reject counts a bad record; last is its last line when it ran over
// several (else 0).
func reject(res *bulletin.ImportResult, line, last int, reason string) {
	res.Skipped++
	if last <= line {
		last = 0
	}
	if len(res.Errors) < bulletin.MaxImportErrors {
		res.Errors = append(res.Errors, bulletin.ImportLineError{Line: line, EndLine: last, Error: reason})
	} else {
		res.MoreErrors++
	}
}

// mergeImport merges the staged rows (the last line wins for an address
// given twice, in any case; a known address keeps its spelling) into subscribers and the list's subscriptions.
func mergeImport(ctx context.Context, tx pgx.Tx, listID int64, good int, res *bulletin.ImportResult) error {
	_, err := tx.Exec(ctx, `CREATE TEMP TABLE import_src ON COMMIT DROP AS
		SELECT DISTINCT ON (lower(email)) email, name, status, token FROM import_rows ORDER BY lower(email), line DESC`)
	if err != nil {
		return fmt.Errorf("import: dedupe: %w", err)
	}
	if _, err := tx.Exec(ctx, `ANALYZE import_src`); err != nil {
		return fmt.Errorf("import: analyze: %w", err)
	}
	err = tx.QueryRow(ctx, `WITH up AS (
			INSERT INTO subscribers AS s (email, name, status, token)
			SELECT email, name, status, token FROM import_src
			ON CONFLICT (lower(email)) DO UPDATE SET
				name = CASE WHEN EXCLUDED.name <> '' THEN EXCLUDED.name ELSE s.name END,
				status = CASE WHEN `+rank("EXCLUDED.status")+` > `+rank("s.status")+` THEN EXCLUDED.status ELSE s.status END,
				updated_at = now()
			WHERE (EXCLUDED.name <> '' AND EXCLUDED.name <> s.name) OR `+rank("EXCLUDED.status")+` > `+rank("s.status")+`
			RETURNING xmax = 0 AS created)
		SELECT count(*) FILTER (WHERE created), (SELECT count(*) FROM import_src) FROM up`).Scan(&res.Created, &res.Imported)
	if err != nil {
		return fmt.Errorf("import: merge subscribers: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO subscriptions AS x (list_id, subscriber_id, status, consent_at, consent_method, unsubscribed_at)
		SELECT $1, s.id, CASE src.status WHEN 'pending' THEN 'pending' WHEN 'unsubscribed' THEN 'unsubscribed' ELSE 'active' END,
			CASE WHEN src.status = 'active' THEN now() END, 'import', CASE WHEN src.status = 'unsubscribed' THEN now() END
		FROM import_src src JOIN subscribers s ON lower(s.email) = lower(src.email)
		ON CONFLICT (list_id, subscriber_id) DO UPDATE SET status = EXCLUDED.status,
			consent_at = coalesce(x.consent_at, EXCLUDED.consent_at),
			unsubscribed_at = EXCLUDED.unsubscribed_at, confirm_token = NULL, updated_at = now()
		WHERE `+rank("EXCLUDED.status")+` > `+rank("x.status"), listID)
	if err != nil {
		return fmt.Errorf("import: merge subscriptions: %w", err)
	}
	res.Skipped += good - res.Imported
	return nil
}

// ExportSubscribers streams the list's members to fn, one row at a time, as
// email, name and status (the subscriber's status when it blocks sending,
// otherwise the membership's). Email and name come as CSV cells, neutralised
// against spreadsheet formulas (bulletin.CSVCell); an import undoes that.
func (db *DB) ExportSubscribers(ctx context.Context, slug string, fn func(email, name, status string) error) error {
	l, err := db.FindListBySlug(ctx, slug)
	if err != nil {
		return err
	}
	rows, err := db.Pool.Query(ctx, `SELECT s.email, s.name,
			CASE WHEN s.status IN ('unsubscribed', 'bounced', 'blocklisted') THEN s.status ELSE x.status END
		FROM subscriptions x JOIN subscribers s ON s.id = x.subscriber_id
		WHERE x.list_id = $1 ORDER BY s.id`, l.ID)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer rows.Close()
	var email, name, status string
	for rows.Next() {
		if err := rows.Scan(&email, &name, &status); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := fn(bulletin.CSVCell(email), bulletin.CSVCell(name), status); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

func clipStr(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

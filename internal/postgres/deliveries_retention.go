package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// retentionLock is the advisory lock key that lets one process at a time
// drop old deliveries.
const retentionLock = 0x62756c6c_0140

// DroppedIssue is one issue whose delivery rows were dropped.
type DroppedIssue struct {
	IssueID int64
	Rows    int64
}

// DropOldDeliveries drops the delivery partitions (migration 0140) of
// issues sent longer than retention ago, of cancelled issues, and of issues
// that no longer exist, oldest issue first. Before each partition goes, in
// the same transaction, the issue's kept counts are recomputed from its
// rows and marked final, and each subscriber's run of hard failures is
// carried into delivery_history (the bounce rule reads it once the rows
// are gone). It reports what it dropped; when another process holds the
// retention lock it does nothing. A partition it could not lock within
// lockWait is left for the next round.
func (db *DB) DropOldDeliveries(ctx context.Context, retention time.Duration) (int, int64, error) {
	dropped, err := db.DropOldDeliveriesWait(ctx, retention, 2*time.Second)
	var rows int64
	for _, d := range dropped {
		rows += d.Rows
	}
	return len(dropped), rows, err
}

// DropOldDeliveriesWait is DropOldDeliveries with the longest wait for a
// partition's locks, and it lists what it dropped.
func (db *DB) DropOldDeliveriesWait(ctx context.Context, retention, lockWait time.Duration) ([]DroppedIssue, error) {
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("drop old deliveries: %w", err)
	}
	defer conn.Release()
	var mine bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, int64(retentionLock)).Scan(&mine); err != nil {
		return nil, fmt.Errorf("drop old deliveries: lock: %w", err)
	}
	if !mine {
		return nil, nil // another process is at it
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(retentionLock))
	}()

	rows, _ := conn.Query(ctx, `SELECT substr(c.relname, 12)::bigint AS issue
		FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
		LEFT JOIN issues i ON i.id = substr(c.relname, 12)::bigint
		WHERE h.inhparent = 'deliveries'::regclass AND c.relname ~ '^deliveries_[0-9]+$'
		AND (i.id IS NULL OR i.status = 'cancelled'
			OR i.status = 'sent' AND i.sent_at < now() - $1 * interval '1 millisecond')
		ORDER BY 1`, retention.Milliseconds())
	issues, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("drop old deliveries: find: %w", err)
	}
	var out []DroppedIssue
	for _, issue := range issues {
		n, err := dropIssueDeliveries(ctx, conn.Conn(), issue, lockWait)
		if err != nil {
			return out, fmt.Errorf("drop deliveries of issue %d: %w", issue, err)
		}
		if n >= 0 {
			out = append(out, DroppedIssue{IssueID: issue, Rows: n})
		}
	}
	return out, nil
}

// dropIssueDeliveries summarises and drops one issue's partition in one
// transaction, so a crash leaves either the rows or the summary. It
// returns -1 when a lock was not had within lockWait.
func dropIssueDeliveries(ctx context.Context, conn *pgx.Conn, issue int64, lockWait time.Duration) (int64, error) {
	part := partitionName(issue)
	tx, err := conn.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, fmt.Sprintf(`SET LOCAL lock_timeout = %d`, max(lockWait.Milliseconds(), 1))); err != nil {
		return 0, err
	}
	// No writes to the partition from here on (a very late bounce waits
	// and then finds no delivery); other issues' partitions are not held.
	if _, err := tx.Exec(ctx, `LOCK TABLE `+part+` IN SHARE MODE`); err != nil {
		return lockMissed(err)
	}
	var n int64
	err = tx.QueryRow(ctx, `WITH c AS (SELECT count(*) AS total, count(*) FILTER (WHERE status = 'sent') AS sent,
			count(*) FILTER (WHERE status = 'failed') AS failed FROM `+part+`),
		u AS (UPDATE delivery_counts k SET total = c.total, sent = c.sent, failed = c.failed,
			sample_sent = c.sent, prev_sent = c.sent, final_at = now() FROM c WHERE k.issue_id = $1)
		SELECT total FROM c`, issue).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("final counts: %w", err)
	}
	// The bounce rule counts hard failures (5xx) in a row per subscriber.
	// A delivery here that was not one ends the subscriber's kept run; one
	// that was adds to it.
	if _, err := tx.Exec(ctx, `DELETE FROM delivery_history h USING `+part+` d
		WHERE h.subscriber_id = d.subscriber_id AND d.status <> 'pending'
		AND NOT (d.status = 'failed' AND d.last_code BETWEEN 500 AND 599)`); err != nil {
		return 0, fmt.Errorf("bounce history: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO delivery_history AS h (subscriber_id, hard_run, last_id)
		SELECT d.subscriber_id, 1, d.id FROM `+part+` d JOIN subscribers s ON s.id = d.subscriber_id
		WHERE d.status = 'failed' AND d.last_code BETWEEN 500 AND 599
		ON CONFLICT (subscriber_id) DO UPDATE SET hard_run = h.hard_run + 1, last_id = excluded.last_id
		WHERE h.last_id < excluded.last_id`); err != nil {
		return 0, fmt.Errorf("bounce history: %w", err)
	}
	// DETACH takes ACCESS EXCLUSIVE on deliveries until commit (CONCURRENTLY
	// is not allowed beside a default partition); the DROP that follows is
	// quick, and lock_timeout bounds how long claims queue behind it.
	if _, err := tx.Exec(ctx, `ALTER TABLE deliveries DETACH PARTITION `+part); err != nil {
		return lockMissed(err)
	}
	if _, err := tx.Exec(ctx, `DROP TABLE `+part); err != nil {
		return 0, err
	}
	// The issue's 250s function (migration 0143) goes with its partition.
	if _, err := tx.Exec(ctx, `DROP FUNCTION IF EXISTS `+markSentFunc(issue)+`(bigint[], text[])`); err != nil {
		return 0, err
	}
	if err := tx.Commit(ctx); err != nil {
		return lockMissed(err)
	}
	return n, nil
}

// lockMissed turns a lock timeout or a deadlock into "not this round".
func lockMissed(err error) (int64, error) {
	if code := pgCode(err); code == "55P03" || code == "40P01" {
		return -1, nil
	}
	return 0, err
}

// pgCode is the SQLSTATE of a PostgreSQL error, "" for any other error.
func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

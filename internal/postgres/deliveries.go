package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"bulletin/internal/delivery"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ClaimDeliveries takes up to limit due pending deliveries of issues that
// are sending and not paused, under a lease: locked_until in the future.
// A lease that expired (its sender died) is taken like any other due row.
// SKIP LOCKED lets any number of sender processes claim side by side
// without waiting on each other. An error after some issues' rows were
// claimed returns those rows too: they are leased, and must be sent.
func (db *DB) ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]delivery.Job, error) {
	// The sending issues that are not paused, and whether each has its
	// own partition of deliveries (migration 0140); a handful of rows.
	type sending struct {
		id  int64
		own bool
	}
	rows, _ := db.Pool.Query(ctx, `SELECT i.id, to_regclass('deliveries_' || i.id) IS NOT NULL FROM issues i
		WHERE i.status = 'sending'
		AND NOT EXISTS (SELECT 1 FROM delivery_alarms a WHERE a.issue_id = i.id AND a.paused_at IS NOT NULL)
		ORDER BY i.id`)
	issues, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sending, error) {
		var s sending
		err := r.Scan(&s.id, &s.own)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	var jobs []delivery.Job
	for _, is := range issues {
		if len(jobs) >= limit {
			break
		}
		table := "deliveries" // rows of an issue without a partition, in the default one
		if is.own {
			table = partitionName(is.id)
		}
		got, err := db.claimFrom(ctx, table, is.id, limit-len(jobs), lease)
		if err != nil {
			return jobs, err
		}
		jobs = append(jobs, got...)
	}
	return jobs, nil
}

// claimFrom claims up to limit due rows of one issue from table, the
// issue's partition. Naming the partition itself, rather than deliveries
// with a condition on issue_id, keeps the statement's planning and locking
// to one table of one issue's size: on the partitioned parent both grow
// with every partition kept (a claim took 2.4 times as long with 20 kept
// issues as with one, nearly all of it planning).
//
// It walks the issue's part of the pending index in order, so it touches
// only the rows it takes and those under a live lease. A filter over the
// whole table instead lets the planner choose a sequential scan, which
// rereads every sent row on each claim. The update changes no indexed
// column, so it is a HOT update (migration 0042).
func (db *DB) claimFrom(ctx context.Context, table string, issueID int64, limit int, lease time.Duration) ([]delivery.Job, error) {
	rows, _ := db.Pool.Query(ctx, `WITH c AS (
			SELECT d.id, d.subscriber_id, d.locked_until FROM `+table+` d
			WHERE d.issue_id = $3 AND d.status = 'pending' AND d.next_attempt_at <= now()
			AND (d.locked_until IS NULL OR d.locked_until < now())
			ORDER BY d.next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
		UPDATE `+table+` d SET attempts = d.attempts + 1,
			locked_until = now() + $2 * interval '1 millisecond', updated_at = now()
		FROM c LEFT JOIN subscribers s ON s.id = c.subscriber_id
		WHERE d.id = c.id AND d.issue_id = $3
		RETURNING d.id, d.issue_id, coalesce(s.id, 0), d.attempts, coalesce(s.email, ''), coalesce(s.name, ''),
			coalesce(s.token, ''), coalesce(s.status = 'active', false), c.locked_until IS NOT NULL`,
		limit, lease.Milliseconds(), issueID)
	jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (delivery.Job, error) {
		var j delivery.Job
		err := r.Scan(&j.ID, &j.IssueID, &j.SubscriberID, &j.Attempts, &j.Email, &j.Name, &j.Token, &j.Active, &j.Rescued)
		return j, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim deliveries of issue %d: %w", issueID, err)
	}
	return jobs, nil
}

// MarkSent records the server's 250 for each delivery, in one statement
// for however many rows the marker grouped.
func (db *DB) MarkSent(ctx context.Context, sent []delivery.Sent) error {
	ids := make([]int64, len(sent))
	issues := make([]int64, len(sent))
	replies := make([]string, len(sent))
	unknown := false
	for i, s := range sent {
		ids[i], issues[i], replies[i] = s.ID, s.IssueID, s.Reply
		unknown = unknown || s.IssueID == 0
	}
	if unknown {
		if err := db.deliveryIssues(ctx, ids, issues); err != nil {
			return fmt.Errorf("mark sent: %w", err)
		}
	}
	// The functions also clear each subscriber's hard-failure count and
	// move the issue's kept counts. A batch of one issue goes to that
	// issue's own function (migration 0143), whose statements name its
	// partition and are planned once per connection; pgx keeps the call
	// prepared per issue. A mixed batch, or an issue without a partition,
	// goes to the general one (0142), which plans each issue's update anew.
	if one, ok := singleIssue(issues); ok {
		_, err := db.Pool.Exec(ctx, `SELECT `+markSentFunc(one)+`($1::bigint[], $2::text[])`, ids, replies)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42883" { // undefined_function: no partition
			if err != nil {
				return fmt.Errorf("mark sent: %w", err)
			}
			return nil
		}
	}
	_, err := db.Pool.Exec(ctx, `SELECT mark_deliveries_sent($1::bigint[], $2::bigint[], $3::text[])`, ids, issues, replies)
	if err != nil {
		return fmt.Errorf("mark sent: %w", err)
	}
	return nil
}

// singleIssue reports the issue when every id of a batch is of that one.
func singleIssue(issues []int64) (int64, bool) {
	for _, is := range issues[1:] {
		if is != issues[0] {
			return 0, false
		}
	}
	return issues[0], len(issues) > 0
}

// deliveryIssues fills in the issue of each id whose issue is 0, looking
// in every partition: callers that know the issue pass it instead.
func (db *DB) deliveryIssues(ctx context.Context, ids, issues []int64) error {
	rows, _ := db.Pool.Query(ctx, `SELECT id, issue_id FROM deliveries WHERE id = ANY($1)`, ids)
	found := map[int64]int64{}
	var id, issue int64
	_, err := pgx.ForEachRow(rows, []any{&id, &issue}, func() error {
		found[id] = issue
		return nil
	})
	if err != nil {
		return fmt.Errorf("find deliveries' issues: %w", err)
	}
	for i := range ids {
		if issues[i] == 0 {
			issues[i] = found[ids[i]]
		}
	}
	return nil
}

// MarkFailure records a failed attempt: back to pending at f.Next, or
// failed for good. A hard failure counts against the subscriber, who is
// marked bounced at bounceAfter hard failures in a row (MarkSent clears
// the count).
func (db *DB) MarkFailure(ctx context.Context, f delivery.Failure, bounceAfter int) error {
	status, next := "pending", f.Next
	if f.Final {
		status, next = "failed", time.Now()
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var issueID int64
		// Named, the issue prunes the update to its partition.
		where, args := `id = $1`, []any{f.ID, status, next, f.Code, f.Reply}
		if f.IssueID != 0 {
			where, args = `id = $1 AND issue_id = $6`, append(args, f.IssueID)
		}
		err := tx.QueryRow(ctx, `UPDATE deliveries SET status = $2, next_attempt_at = $3, last_code = $4,
			last_reply = $5, locked_until = NULL, updated_at = now() WHERE `+where+` AND status = 'pending'
			RETURNING issue_id`, args...).Scan(&issueID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // already sent or failed: a repeat changes nothing
		}
		if err != nil {
			return err
		}
		if f.Final {
			if _, err := tx.Exec(ctx, `UPDATE delivery_counts SET failed = failed + 1 WHERE issue_id = $1`, issueID); err != nil {
				return err
			}
		}
		if !f.Hard || f.SubscriberID == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE subscribers SET hard_bounces = hard_bounces + 1,
			status = CASE WHEN hard_bounces + 1 >= $2 AND status = 'active' THEN 'bounced' ELSE status END,
			updated_at = now() WHERE id = $1`, f.SubscriberID, bounceAfter)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark delivery failure: %w", err)
	}
	return nil
}

// ReleaseDeliveries returns claimed rows to pending, uncounting the attempt.
// The ids alone do not name their issues, so each is probed in every
// partition's primary key (one probe per partition): a shutdown's cost.
func (db *DB) ReleaseDeliveries(ctx context.Context, ids []int64) error {
	_, err := db.Pool.Exec(ctx, `UPDATE deliveries SET attempts = greatest(attempts - 1, 0),
		locked_until = NULL, updated_at = now() WHERE id = ANY($1) AND status = 'pending' AND locked_until IS NOT NULL`, ids)
	if err != nil {
		return fmt.Errorf("release deliveries: %w", err)
	}
	return nil
}

// RenewDeliveries extends the claims on ids whose lease has not yet run
// out and returns the ids it renewed. A lease that ran out may have been
// claimed by another sender since, so it is not taken back. Only
// locked_until changes: a HOT update. The issues of the rows (a pool
// sends one or a few at a time) prune the update to their partitions, so
// a renewal does not probe every kept issue's partition for every row.
func (db *DB) RenewDeliveries(ctx context.Context, issues, ids []int64, lease time.Duration) ([]int64, error) {
	rows, _ := db.Pool.Query(ctx, `UPDATE deliveries SET locked_until = now() + $2 * interval '1 millisecond'
		WHERE issue_id = ANY($3) AND id = ANY($1) AND status = 'pending' AND locked_until > now() RETURNING id`,
		ids, lease.Milliseconds(), issues)
	renewed, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("renew delivery leases: %w", err)
	}
	return renewed, nil
}

package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"bulletin/internal/bulletin"
	"bulletin/internal/content"
	"bulletin/internal/inbound"

	"github.com/jackc/pgx/v5"
)

// inboundRecord is what applying an action writes onto the message's row.
type inboundRecord struct {
	effect                                         string
	deliveryID, issueID, subscriberID, itemID, uid *int64
}

// ApplyInbound applies a to message id and marks it processed, in one
// transaction: the row is locked first, and a processed row is left as it
// is, so processing a message twice acts once.
func (db *DB) ApplyInbound(ctx context.Context, id int64, a inbound.Action) (inbound.Outcome, error) {
	var out inbound.Outcome
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		out = inbound.Outcome{}
		var done bool
		var effect string
		if err := tx.QueryRow(ctx, `SELECT processed_at IS NOT NULL, effect FROM inbound_messages WHERE id = $1 FOR UPDATE`, id).Scan(&done, &effect); err != nil {
			return mapErr(err, "inbound message")
		}
		if done {
			out.Done, out.Effect = true, effect
			return nil
		}
		var rec inboundRecord
		var err error
		switch a.Kind {
		case inbound.KindBounce:
			rec, err = applyBounce(ctx, tx, a)
		case inbound.KindComplaint:
			rec, err = applyLeave(ctx, tx, a, bulletin.LeftByComplaint)
		case inbound.KindUnsubscribe:
			rec, err = applyLeave(ctx, tx, a, bulletin.LeftByMailto)
		case inbound.KindContribution:
			rec, err = applyContribution(ctx, tx, a, &out)
		default:
			rec.effect = "stored, no action: " + a.Reason
		}
		if err != nil {
			return err
		}
		out.Effect = rec.effect
		_, err = tx.Exec(ctx, `UPDATE inbound_messages SET kind = $2, status = $3, diagnostic = $4, permanent = $5,
				delivery_id = $6, issue_id = $7, subscriber_id = $8, item_id = $9, user_id = $10,
				verified = $11, verify_method = $12, effect = $13, error = '', processed_at = now()
			WHERE id = $1`, id, a.Kind, a.Status, a.Diagnostic, a.Permanent,
			rec.deliveryID, rec.issueID, rec.subscriberID, rec.itemID, rec.uid, a.Verified, a.VerifyMethod, rec.effect)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("apply inbound message %d: %w", id, err)
	}
	return out, nil
}

// applyBounce fails the delivery a bounce is about. A permanent failure
// counts against the subscriber under the rule SMTP refusals use
// (MarkFailure): bounced at BounceAfter hard failures in a row.
func applyBounce(ctx context.Context, tx pgx.Tx, a inbound.Action) (inboundRecord, error) {
	var rec inboundRecord
	var d struct {
		id, issue int64
		sub       *int64
		status    string
	}
	var err error
	switch {
	case a.DeliveryID > 0:
		where, args := deliveryByID(a)
		err = tx.QueryRow(ctx, `SELECT id, issue_id, subscriber_id, status FROM deliveries WHERE `+where+` FOR UPDATE`,
			args...).Scan(&d.id, &d.issue, &d.sub, &d.status)
	case a.Recipient != "":
		// No VERP address: the last message we sent to that address.
		var id, issue int64
		if id, issue, err = lastDeliveryTo(ctx, tx, a.Recipient); err == nil {
			err = tx.QueryRow(ctx, `SELECT id, issue_id, subscriber_id, status FROM deliveries
				WHERE id = $1 AND issue_id = $2 AND status <> 'pending' FOR UPDATE`, id, issue).Scan(&d.id, &d.issue, &d.sub, &d.status)
		}
	default:
		rec.effect = "ignored: the bounce names no delivery and no address"
		return rec, nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		rec.effect = "ignored: no message of ours to " + orDash(a.Recipient)
		if a.DeliveryID > 0 {
			rec.effect = "ignored: no delivery " + strconv.FormatInt(a.DeliveryID, 10)
		}
		return rec, nil
	}
	if err != nil {
		return rec, fmt.Errorf("find bounced delivery: %w", err)
	}
	rec.deliveryID, rec.issueID, rec.subscriberID = &d.id, &d.issue, d.sub
	if !a.Failed {
		rec.effect = fmt.Sprintf("recorded: delivery %d delayed (%s), nothing changed", d.id, orDash(a.Status))
		return rec, nil
	}
	if d.status == "failed" {
		rec.effect = fmt.Sprintf("delivery %d had already failed: nothing changed", d.id)
		return rec, nil
	}
	code := 554
	if strings.HasPrefix(a.Status, "4.") {
		code = 450
	}
	if m := smtpCodeIn(a.Diagnostic); m != 0 {
		code = m
	}
	reply := "DSN " + a.Status
	if a.Diagnostic != "" {
		reply += ": " + a.Diagnostic
	}
	if _, err := tx.Exec(ctx, `UPDATE deliveries SET status = 'failed', last_code = $2, last_reply = $3,
		locked_until = NULL, updated_at = now() WHERE id = $1 AND issue_id = $4`, d.id, code, reply, d.issue); err != nil {
		return rec, fmt.Errorf("fail delivery: %w", err)
	}
	sentDelta := 0
	if d.status == "sent" {
		sentDelta = 1
	}
	if _, err := tx.Exec(ctx, `UPDATE delivery_counts SET failed = failed + 1, sent = sent - $2 WHERE issue_id = $1`, d.issue, sentDelta); err != nil {
		return rec, fmt.Errorf("count failed delivery: %w", err)
	}
	rec.effect = fmt.Sprintf("delivery %d failed: %s", d.id, a.Status)
	if !a.Permanent || d.sub == nil {
		return rec, nil
	}
	after := a.BounceAfter
	if after <= 0 {
		after = 3
	}
	// A relay answers 250 to every message, and MarkSent clears the count
	// on each 250; a DSN arrives after that. So the run of hard failures
	// is also read from the deliveries themselves: this one and those
	// before it that failed with a 5xx, back to the first that did not.
	run, err := hardFailureRun(ctx, tx, *d.sub, d.id, after)
	if err != nil {
		return rec, err
	}
	var status string
	var n int
	if err := tx.QueryRow(ctx, `UPDATE subscribers SET hard_bounces = greatest(hard_bounces + 1, $3),
		status = CASE WHEN greatest(hard_bounces + 1, $3) >= $2 AND status = 'active' THEN 'bounced' ELSE status END,
		updated_at = now() WHERE id = $1 RETURNING status, hard_bounces`, *d.sub, after, run).Scan(&status, &n); err != nil {
		return rec, fmt.Errorf("count hard bounce: %w", err)
	}
	rec.effect += fmt.Sprintf("; hard failure %d of %d", n, after)
	if status == bulletin.SubscriberBounced {
		rec.effect += "; subscriber bounced"
	}
	return rec, nil
}

// hardFailureRun counts, up to limit, the subscriber's deliveries up to
// and including delivery upTo that failed with a 5xx, newest issue first,
// stopping at the first that did not. It reads the partitions of the last
// few issues only (subscriberHistory).
func hardFailureRun(ctx context.Context, tx pgx.Tx, sub, upTo int64, limit int) (int, error) {
	rows, _ := tx.Query(ctx, subscriberHistory(`d.status = 'failed' AND d.last_code BETWEEN 500 AND 599`, ``),
		sub, upTo, finished, limit)
	hard, err := pgx.CollectRows(rows, pgx.RowTo[bool])
	if err != nil {
		return 0, fmt.Errorf("hard failure run: %w", err)
	}
	n := 0
	for n < len(hard) && hard[n] {
		n++
	}
	if n == len(hard) && n < limit {
		// Every kept delivery was a hard failure: the run may go on into
		// deliveries whose rows retention dropped (migration 0140).
		var kept int
		err := tx.QueryRow(ctx, `SELECT coalesce((SELECT hard_run FROM delivery_history WHERE subscriber_id = $1), 0)`, sub).Scan(&kept)
		if err != nil {
			return 0, fmt.Errorf("hard failure run: %w", err)
		}
		n = min(n+kept, limit)
	}
	return n, nil
}

// deliveryByID is the condition that finds the delivery a VERP address
// names. An address that names the issue finds it in the issue's
// partition of deliveries alone (migration 0140); one of the first format,
// sent before addresses carried the issue, by its id in every partition:
// one primary-key probe each.
func deliveryByID(a inbound.Action) (string, []any) {
	if a.IssueID > 0 {
		return `id = $1 AND issue_id = $2`, []any{a.DeliveryID, a.IssueID}
	}
	return `id = $1`, []any{a.DeliveryID}
}

// smtpCodeIn finds the reply code in a Diagnostic-Code ("smtp; 550 5.1.1 …").
func smtpCodeIn(diag string) int {
	if _, after, ok := strings.Cut(diag, ";"); ok {
		diag = after
	}
	f := strings.Fields(diag)
	if len(f) == 0 || len(f[0]) != 3 {
		return 0
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n < 400 || n > 599 {
		return 0
	}
	return n
}

// applyLeave unsubscribes the subscriber a complaint or a mailto names from
// every list, recording how. The delivery (VERP), token or address finds
// them, in that order.
func applyLeave(ctx context.Context, tx pgx.Tx, a inbound.Action, how string) (inboundRecord, error) {
	var rec inboundRecord
	var s *bulletin.Subscriber
	var err error
	switch {
	case a.DeliveryID > 0:
		var issue int64
		var sub *int64
		where, args := deliveryByID(a)
		err = tx.QueryRow(ctx, `SELECT issue_id, subscriber_id FROM deliveries WHERE `+where, args...).Scan(&issue, &sub)
		if err == nil {
			rec.deliveryID, rec.issueID = &a.DeliveryID, &issue
			if sub == nil {
				err = pgx.ErrNoRows
			} else {
				s, err = findSubscriber(ctx, tx, `id = $1 FOR UPDATE`, *sub)
			}
		}
	case a.Token != "":
		s, err = findSubscriber(ctx, tx, `token = $1 FOR UPDATE`, a.Token)
	case a.Email != "":
		s, err = findSubscriber(ctx, tx, `lower(email) = lower($1) FOR UPDATE`, a.Email)
	default:
		rec.effect = "ignored: nothing in it identifies a message of ours"
		return rec, nil
	}
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) || bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
			rec.effect = "ignored: no subscriber of ours is named"
			return rec, nil
		}
		return rec, err
	}
	rec.subscriberID = &s.ID
	if rec.issueID == nil && how == bulletin.LeftByComplaint {
		// Count it against the last issue they were sent.
		issue, ok, err := lastIssueSent(ctx, tx, s.ID)
		if err != nil {
			return rec, err
		}
		if ok {
			rec.issueID = &issue
		}
	}
	if err := unsubscribeAll(ctx, tx, s, how); err != nil {
		return rec, err
	}
	rec.effect = fmt.Sprintf("subscriber %d unsubscribed from every list (%s)", s.ID, how)
	return rec, nil
}

// applyContribution makes a registered sender's message a submitted item.
// Mail from an unknown address is kept for an editor; an item that fails
// validation is not stored, and the outcome says why.
func applyContribution(ctx context.Context, tx pgx.Tx, a inbound.Action, out *inbound.Outcome) (inboundRecord, error) {
	var rec inboundRecord
	var uid int64
	err := tx.QueryRow(ctx, `SELECT id FROM users WHERE lower(email) = lower($1)`, a.Contributor).Scan(&uid)
	if errors.Is(err, pgx.ErrNoRows) {
		rec.effect = "kept for an editor: the sender has no account"
		return rec, nil
	}
	if err != nil {
		return rec, fmt.Errorf("find contributor: %w", err)
	}
	out.UserKnown, rec.uid = true, &uid
	if a.Item == nil {
		out.Refused = a.Refusal
		rec.effect = "refused: " + a.Refusal
		return rec, nil
	}
	it := *a.Item
	it.ContributorID, it.Status = &uid, bulletin.ItemSubmitted
	if err := content.PrepareItem(&it); err != nil {
		if bulletin.ErrorCode(err) != bulletin.EINVALID {
			return rec, err
		}
		out.Refused = bulletin.ErrorMessage(err)
		rec.effect = "refused: " + out.Refused
		return rec, nil
	}
	if err := insertItem(ctx, tx, &it); err != nil {
		if bulletin.ErrorCode(err) == bulletin.EINVALID {
			out.Refused = bulletin.ErrorMessage(err)
			rec.effect = "refused: " + out.Refused
			return rec, nil
		}
		return rec, err
	}
	out.ItemID, rec.itemID = it.ID, &it.ID
	rec.effect = fmt.Sprintf("item %d submitted", it.ID)
	if !a.Verified {
		rec.effect += " (unverified sender)"
	}
	return rec, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// Subscribe puts an address on a list: at once for single opt-in lists and
// confirmed (admin) requests, otherwise as a pending subscription with a
// confirmation token, its email queued in the same transaction. Repeating
// it is safe: an active subscription stays as it is, a pending one keeps
// its unexpired token (so the link already mailed still works) and is
// mailed it again. Bounced and blocklisted addresses are refused with
// EUNPROCESSABLE, and so is putting back an unsubscribed address without
// its own confirmation (checkComeback).
func (db *DB) Subscribe(ctx context.Context, req bulletin.SubscribeRequest) (*bulletin.SubscribeResult, error) {
	email, err := bulletin.NormalizeEmail(req.Email)
	if err != nil {
		return nil, err
	}
	if err := bulletin.CheckName("name", req.Name); err != nil {
		return nil, err
	}
	res := &bulletin.SubscribeResult{}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		l, err := findList(ctx, tx, req.List)
		if err != nil || (req.Public && !l.Public) {
			return bulletin.Errorf(bulletin.ENOTFOUND, "list %q not found", req.List)
		}
		res.List = l
		confirm := l.DoubleOptin && !req.Confirmed
		initial := bulletin.SubscriberActive
		if confirm {
			initial = bulletin.SubscriberPending
		}
		// A form anyone can fill in must not rename a known subscriber, so
		// a name is only filled in where there was none.
		s := &bulletin.Subscriber{}
		res.Subscriber = s
		err = tx.QueryRow(ctx, `INSERT INTO subscribers (email, name, status, token) VALUES ($1, $2, $3, $4)
			ON CONFLICT (lower(email COLLATE "C")) DO UPDATE SET name = CASE WHEN subscribers.name = '' THEN EXCLUDED.name ELSE subscribers.name END
			RETURNING `+subscriberColumns+`, xmax = 0`, email, req.Name, initial, newToken()).Scan(
			&s.ID, &s.Email, &s.Name, &s.Status, &s.Token, &s.CreatedAt, &s.UpdatedAt, &res.Created)
		if err != nil {
			return fmt.Errorf("upsert subscriber: %w", err)
		}
		if s.Status == bulletin.SubscriberBounced || s.Status == bulletin.SubscriberBlocklisted {
			return bulletin.Errorf(bulletin.EUNPROCESSABLE, "the address is %s", s.Status)
		}
		var current, liveToken string
		err = tx.QueryRow(ctx, `SELECT status, CASE WHEN confirm_expires_at > now() THEN coalesce(confirm_token, '') ELSE '' END
			FROM subscriptions WHERE list_id = $1 AND subscriber_id = $2 FOR UPDATE`,
			l.ID, s.ID).Scan(&current, &liveToken)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("read subscription: %w", err)
		}
		if current == bulletin.SubscriptionActive {
			res.Status = current
			return nil
		}
		if err := checkComeback(req, confirm, s, current); err != nil {
			return err
		}
		if confirm {
			// A link already mailed keeps working: a pending subscription
			// with an unexpired token is mailed the same link again, and
			// both emails' promise holds (the expiry moves on).
			res.Status, res.ConfirmToken = bulletin.SubscriptionPending, newToken()
			if current == bulletin.SubscriptionPending && liveToken != "" {
				res.ConfirmToken = liveToken
			}
			if res.Sender, err = listSender(ctx, tx, l.ID); err != nil {
				return fmt.Errorf("list sender: %w", err)
			}
		} else {
			res.Status = bulletin.SubscriptionActive
		}
		var confirmToken, expires any
		if confirm {
			confirmToken, expires = res.ConfirmToken, time.Now().Add(bulletin.ConfirmTTL)
		}
		_, err = tx.Exec(ctx, `INSERT INTO subscriptions AS s (list_id, subscriber_id, status, consent_at, consent_method,
				consent_ip, confirm_token, confirm_expires_at, confirmed_at)
			VALUES ($1, $2, $3, now(), $4, $5, $6, $7, CASE WHEN $8 THEN now() END)
			ON CONFLICT (list_id, subscriber_id) DO UPDATE SET status = EXCLUDED.status,
				consent_at = now(), consent_method = EXCLUDED.consent_method, consent_ip = EXCLUDED.consent_ip,
				confirm_token = EXCLUDED.confirm_token, confirm_expires_at = EXCLUDED.confirm_expires_at,
				confirmed_at = EXCLUDED.confirmed_at, unsubscribed_at = NULL, unsubscribed_how = NULL, updated_at = now()`,
			l.ID, s.ID, res.Status, req.Method, ipOrNil(req.IP), confirmToken, expires, req.Confirmed)
		if err != nil {
			return fmt.Errorf("upsert subscription: %w", err)
		}
		if !confirm {
			if err := activate(ctx, tx, s); err != nil {
				return err
			}
			if req.Public && req.Method == bulletin.ConsentForm {
				return enqueueWelcome(ctx, tx, s, l) // only a reader's own sign-up is welcomed
			}
			return nil
		}
		return enqueueConfirmation(ctx, tx, res) // mail_queue.go: sent if this commits
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// checkComeback refuses to put back, on someone else's word, an address
// that left: an admin's confirmed add, or any add by the API or an admin
// to a single opt-in list, would make an unsubscribed address active
// without its own confirmation. As with imports, only the reader can undo
// an unsubscribe: the public form, or an add that mails a confirmation
// link. Bounced and blocklisted addresses are refused before this.
func checkComeback(req bulletin.SubscribeRequest, confirm bool, s *bulletin.Subscriber, current string) error {
	if confirm || req.Method == bulletin.ConsentForm {
		return nil
	}
	if s.Status == bulletin.SubscriberUnsubscribed || current == bulletin.SubscriptionUnsubscribed {
		return bulletin.Errorf(bulletin.EUNPROCESSABLE, "%s unsubscribed and is not put back without its own confirmation; "+
			"add it unconfirmed to a double opt-in list to mail it a confirmation link", s.Email)
	}
	return nil
}

// activate makes a pending or unsubscribed subscriber active again after
// a fresh, explicit subscription. Bounced and blocklisted stay as they are.
func activate(ctx context.Context, tx pgx.Tx, s *bulletin.Subscriber) error {
	err := tx.QueryRow(ctx, `UPDATE subscribers SET status = 'active', updated_at = now()
		WHERE id = $1 AND status IN ('pending', 'unsubscribed') RETURNING status`, s.ID).Scan(&s.Status)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("activate subscriber: %w", err)
	}
	return nil
}

// FindConfirmation reads, without changing anything, the subscription
// whose confirmation token this is: what the confirmation page shows
// before the reader presses its button. An expired link of a subscription
// not yet confirmed is EUNPROCESSABLE; an unknown one ENOTFOUND.
func (db *DB) FindConfirmation(ctx context.Context, token string) (*bulletin.SubscribeResult, error) {
	var res *bulletin.SubscribeResult
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		res, _, err = findConfirmation(ctx, tx, token, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// ConfirmSubscription activates the pending subscription whose confirmation
// token this is. A second confirmation succeeds again; an expired link is
// EUNPROCESSABLE and changes nothing; an unknown one ENOTFOUND.
func (db *DB) ConfirmSubscription(ctx context.Context, token, ip string) (*bulletin.SubscribeResult, error) {
	var res *bulletin.SubscribeResult
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		// The subscriber's row first, then the membership's: the order an
		// erasure (and an unsubscribe) takes them in, so a confirmation
		// racing one waits for it instead of deadlocking.
		var subID int64
		err := tx.QueryRow(ctx, `SELECT subscriber_id FROM subscriptions WHERE confirm_token = $1`, token).Scan(&subID)
		if err != nil {
			return mapErr(err, "confirmation link")
		}
		if _, err := tx.Exec(ctx, `SELECT FROM subscribers WHERE id = $1 FOR NO KEY UPDATE`, subID); err != nil {
			return fmt.Errorf("confirm: lock subscriber: %w", err)
		}
		var listID int64
		if res, listID, err = findConfirmation(ctx, tx, token, "FOR UPDATE"); err != nil || res.Status == bulletin.SubscriptionActive {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE subscriptions SET status = 'active', confirmed_at = now(), confirm_ip = $3,
			updated_at = now() WHERE list_id = $1 AND subscriber_id = $2`, listID, res.Subscriber.ID, ipOrNil(ip))
		if err != nil {
			return fmt.Errorf("confirm: %w", err)
		}
		res.Status = bulletin.SubscriptionActive
		if err := activate(ctx, tx, res.Subscriber); err != nil {
			return err
		}
		// Welcome a reader who signed up on the public form; one added by
		// the API or an admin confirms without one.
		var method string
		if err := tx.QueryRow(ctx, `SELECT consent_method FROM subscriptions WHERE list_id = $1 AND subscriber_id = $2`,
			listID, res.Subscriber.ID).Scan(&method); err != nil {
			return fmt.Errorf("confirm: consent method: %w", err)
		}
		if method != bulletin.ConsentForm {
			return nil
		}
		return enqueueWelcome(ctx, tx, res.Subscriber, res.List)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// findConfirmation loads the subscription of a confirmation token with its
// subscriber and list, and refuses an expired link unless the subscription
// is already active. lock is "" or "FOR UPDATE".
func findConfirmation(ctx context.Context, tx pgx.Tx, token, lock string) (*bulletin.SubscribeResult, int64, error) {
	res := &bulletin.SubscribeResult{}
	var listID, subID int64
	var expired bool
	err := tx.QueryRow(ctx, `SELECT list_id, subscriber_id, status, confirm_expires_at < now()
		FROM subscriptions WHERE confirm_token = $1 `+lock, token).Scan(&listID, &subID, &res.Status, &expired)
	if err != nil {
		return nil, 0, mapErr(err, "confirmation link")
	}
	if res.Subscriber, err = findSubscriber(ctx, tx, `id = $1`, subID); err != nil {
		return nil, 0, err
	}
	rows, _ := tx.Query(ctx, `SELECT `+listColumns+` FROM lists WHERE id = $1`, listID)
	if res.List, err = pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.List]); err != nil {
		return nil, 0, fmt.Errorf("confirm: list: %w", err)
	}
	if expired && res.Status != bulletin.SubscriptionActive {
		return nil, 0, bulletin.Errorf(bulletin.EUNPROCESSABLE, "this confirmation link has expired")
	}
	return res, listID, nil
}

// Unsubscribe takes the subscriber with this token off every list, at once.
// Repeating it changes nothing more. Bounced and blocklisted keep their
// status (they receive nothing either way).
func (db *DB) Unsubscribe(ctx context.Context, token string) (*bulletin.Subscriber, error) {
	var s *bulletin.Subscriber
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if s, err = findSubscriber(ctx, tx, byToken+` FOR UPDATE`, token, tokenID(token)); err != nil {
			return err
		}
		return unsubscribeAll(ctx, tx, s, bulletin.LeftByLink)
	})
	return s, err
}

// unsubscribeAll takes s off every list; how is one of bulletin's Left*
// words, recorded on each subscription it ends.
func unsubscribeAll(ctx context.Context, tx pgx.Tx, s *bulletin.Subscriber, how string) error {
	if s.Status == bulletin.SubscriberActive || s.Status == bulletin.SubscriberPending {
		s.Status = bulletin.SubscriberUnsubscribed
		if _, err := tx.Exec(ctx, `UPDATE subscribers SET status = 'unsubscribed', updated_at = now() WHERE id = $1`, s.ID); err != nil {
			return fmt.Errorf("unsubscribe: %w", err)
		}
	}
	// Old confirmation links must not bring the address back.
	_, err := tx.Exec(ctx, `UPDATE subscriptions SET status = 'unsubscribed', unsubscribed_at = now(), unsubscribed_how = $2,
		confirm_token = NULL, updated_at = now() WHERE subscriber_id = $1 AND status <> 'unsubscribed'`, s.ID, how)
	if err != nil {
		return fmt.Errorf("unsubscribe: %w", err)
	}
	return nil
}

// FindPreferences returns the subscriber with this token, its lists and
// every public list it could join.
func (db *DB) FindPreferences(ctx context.Context, token string) (*bulletin.Preferences, error) {
	s, err := db.FindSubscriberByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	ms, err := memberships(ctx, db.Pool, s.ID, true)
	if err != nil {
		return nil, err
	}
	return &bulletin.Preferences{Subscriber: *s, Lists: ms}, nil
}

// SavePreferences sets the name and exactly the lists chosen among those the
// page offered. The token came by email, so joining a list needs no second
// confirmation. A slug the page did not offer is EINVALID and nothing is
// saved.
func (db *DB) SavePreferences(ctx context.Context, token string, upd bulletin.PreferencesUpdate) (*bulletin.Preferences, error) {
	if err := bulletin.CheckName("name", upd.Name); err != nil {
		return nil, err
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		s, err := findSubscriber(ctx, tx, byToken+` FOR UPDATE`, token, tokenID(token))
		if err != nil {
			return err
		}
		ms, err := memberships(ctx, tx, s.ID, true)
		if err != nil {
			return err
		}
		for _, slug := range upd.Lists {
			if !slices.ContainsFunc(ms, func(m bulletin.Membership) bool { return m.List.Slug == slug }) {
				return bulletin.Errorf(bulletin.EINVALID, "unknown list %q", slug)
			}
		}
		// In list order, as every statement over several lists takes the
		// lists' rows of list_counts and list_growth: a save racing an
		// unsubscribe or an erasure on the same lists cannot deadlock.
		slices.SortFunc(ms, func(a, b bulletin.Membership) int { return cmp.Compare(a.List.ID, b.List.ID) })
		active := 0
		for _, m := range ms {
			want := slices.Contains(upd.Lists, m.List.Slug)
			switch {
			case want && m.Status != bulletin.SubscriptionActive:
				_, err = tx.Exec(ctx, `INSERT INTO subscriptions (list_id, subscriber_id, status, consent_at,
						consent_method, consent_ip, confirmed_at) VALUES ($1, $2, 'active', now(), 'preferences', $3, now())
					ON CONFLICT (list_id, subscriber_id) DO UPDATE SET status = 'active', consent_at = now(),
						consent_method = 'preferences', consent_ip = EXCLUDED.consent_ip, confirmed_at = now(),
						unsubscribed_at = NULL, unsubscribed_how = NULL, confirm_token = NULL, updated_at = now()`, m.List.ID, s.ID, ipOrNil(upd.IP))
			case !want && m.Status != "" && m.Status != bulletin.SubscriptionUnsubscribed:
				_, err = tx.Exec(ctx, `UPDATE subscriptions SET status = 'unsubscribed', unsubscribed_at = now(),
					unsubscribed_how = 'preferences', confirm_token = NULL, updated_at = now()
					WHERE list_id = $1 AND subscriber_id = $2`, m.List.ID, s.ID)
			}
			if err != nil {
				return fmt.Errorf("save preferences: %w", err)
			}
			if want {
				active++
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE subscribers SET name = $2, updated_at = now() WHERE id = $1`, s.ID, upd.Name); err != nil {
			return fmt.Errorf("save preferences: %w", err)
		}
		if active > 0 {
			return activate(ctx, tx, s)
		}
		return unsubscribeAll(ctx, tx, s, bulletin.LeftByPreferences)
	})
	if err != nil {
		return nil, err
	}
	return db.FindPreferences(ctx, token)
}

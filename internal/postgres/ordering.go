package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// orderLockKey namespaces the advisory locks that serialise changes to the
// order of one newsletter's sections and items.
const orderLockKey = 7240_0010

// lockOrder takes the newsletter's ordering lock until the transaction
// ends. Several newsletters are locked in ascending id order by the caller
// so that two moves cannot deadlock.
func lockOrder(ctx context.Context, tx pgx.Tx, newsletterIDs ...int64) error {
	for _, id := range newsletterIDs {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2::int)`, orderLockKey, id); err != nil {
			return fmt.Errorf("lock order of newsletter %d: %w", id, err)
		}
	}
	return nil
}

// insertAt returns others with id inserted at 1-based position want
// (clamped to 1..len+1; 0 or less means last), and that position.
func insertAt(others []int64, id int64, want int) ([]int64, int) {
	if want <= 0 || want > len(others)+1 {
		want = len(others) + 1
	}
	ids := make([]int64, 0, len(others)+1)
	ids = append(ids, others[:want-1]...)
	ids = append(ids, id)
	ids = append(ids, others[want-1:]...)
	return ids, want
}

// positions returns 1..n.
func positions(n int) []int32 {
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(i + 1)
	}
	return p
}

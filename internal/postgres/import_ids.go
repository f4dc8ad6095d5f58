package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// idBlockMin is the number of good rows from which an import takes its new
// subscribers' ids as one block (reserveIDs) rather than a nextval per row
// (about 0.4-0.5 s of backend time per million rows).
const idBlockMin = 10_000

// idBlockWait bounds how long reserveIDs waits for the sequence: its lock
// waits for every open transaction that has taken an id from the sequence,
// and new sign-ups queue behind it meanwhile. Past it, the import takes its
// ids one by one as before.
const idBlockWait = 500 * time.Millisecond

// idBlock is a block of n subscriber ids, base+1 … base+n, reserved for
// one import; n is 0 when there is none (ids are then taken one by one).
type idBlock struct {
	base int64
	n    int
}

// reserveIDs takes n consecutive ids from subscribers_id_seq in one step,
// on a connection and in a short transaction of its own. The block is
// empty when the sequence could not be had within idBlockWait (or the role
// may not alter it): the caller takes ids one by one instead.
//
// It is safe against everything else that takes ids from the sequence
// (Subscribe, admin add, other imports: the column's default or nextval):
// ALTER SEQUENCE takes a SHARE ROW EXCLUSIVE lock on the sequence until the
// transaction ends, and nextval and setval take ROW EXCLUSIVE, which
// conflicts with it (PostgreSQL 10 and later; checked on 15: a concurrent
// INSERT with the default waits on the lock, then gets base+n+1). So from
// the ALTER to the commit no other session takes an id: nextval here gives
// the first free id whether or not the sequence was ever used, and setval
// marks the block's last id as taken, both without any other session in
// between. The ALTER sets the increment the block arithmetic assumes (1,
// the bigserial's own), so it changes nothing. Sequence values are never
// rolled back: if the import later fails, the block is wasted, as ids
// taken one by one would be, and the sequence goes on after it.
//
// It must not run inside the import's transaction: the lock would then
// stop every sign-up until the import commits. The import's transaction
// has taken no id from the sequence before (that would hold ROW
// EXCLUSIVE, and this would wait on its own caller until idBlockWait).
func (db *DB) reserveIDs(ctx context.Context, n int) (idBlock, error) {
	var base int64
	wctx, cancel := context.WithTimeout(ctx, 2*idBlockWait)
	defer cancel()
	err := pgx.BeginFunc(wctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(wctx, fmt.Sprintf(`SET LOCAL lock_timeout = '%dms'`, idBlockWait.Milliseconds())); err != nil {
			return err
		}
		if _, err := tx.Exec(wctx, `ALTER SEQUENCE subscribers_id_seq INCREMENT BY 1`); err != nil {
			return err
		}
		var first int64
		if err := tx.QueryRow(wctx, `SELECT nextval('subscribers_id_seq')`).Scan(&first); err != nil {
			return err
		}
		if _, err := tx.Exec(wctx, `SELECT setval('subscribers_id_seq', $1)`, first+int64(n)-1); err != nil {
			return err
		}
		base = first - 1
		return nil
	})
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return idBlock{base: base, n: n}, nil
	case ctx.Err() != nil:
		return idBlock{}, fmt.Errorf("import: reserve ids: %w", err)
	case errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &pgErr) && (pgErr.Code == "55P03" || pgErr.Code == "42501"): // lock_not_available, insufficient_privilege
		return idBlock{}, nil
	default:
		return idBlock{}, fmt.Errorf("import: reserve ids: %w", err)
	}
}

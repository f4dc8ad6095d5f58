package postgres

import (
	"context"
	"fmt"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5"
)

// sessionUserKey is the value the web package stores the user's ID under
// in an scs session.
const sessionUserKey = "user_id"

// EndUserSessions deletes every web session of user id except the one
// whose token is keep ("" keeps none), and returns how many it ended. The
// sessions table is scs's, whose data is a gob of the session's values, so
// the owner is found by decoding each live session: logins are few.
func (db *DB) EndUserSessions(ctx context.Context, id int64, keep string) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		n, err = endUserSessions(ctx, tx, id, keep)
		return err
	})
	return n, err
}

func endUserSessions(ctx context.Context, tx pgx.Tx, id int64, keep string) (int, error) {
	rows, _ := tx.Query(ctx, `SELECT token, data FROM sessions WHERE expiry > now() AND token <> $1 FOR UPDATE`, keep)
	var tokens []string
	var token string
	var data []byte
	_, err := pgx.ForEachRow(rows, []any{&token, &data}, func() error {
		_, values, err := scs.GobCodec{}.Decode(data)
		if err != nil {
			return nil // not ours to judge; scs drops it on its next load
		}
		if uid, ok := values[sessionUserKey].(int64); ok && uid == id {
			tokens = append(tokens, token)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("find sessions of user %d: %w", id, err)
	}
	if len(tokens) == 0 {
		return 0, nil
	}
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token = ANY($1)`, tokens); err != nil {
		return 0, fmt.Errorf("end sessions of user %d: %w", id, err)
	}
	return len(tokens), nil
}

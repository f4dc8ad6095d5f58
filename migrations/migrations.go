// Package migrations embeds the forward-only numbered schema migrations.
// Files are NNNN_name.sql, applied in numeric order, each in one transaction;
// gaps in the numbering are allowed. Never edit a file once it has landed.
package migrations

import "embed"

//go:embed *.sql
var FS embed.FS

package postgres

import "bulletin/internal/bulletin"

// The store implements every service of bulletin/service.go; the rules of
// each live with its queries here.
var (
	_ bulletin.ItemService       = (*DB)(nil)
	_ bulletin.IssueService      = (*DB)(nil)
	_ bulletin.NewsletterService = (*DB)(nil)
	_ bulletin.ListService       = (*DB)(nil)
	_ bulletin.SubscriberService = (*DB)(nil)
	_ bulletin.AccountService    = (*DB)(nil)
)

package contrib

import (
	"strings"

	"bulletin/internal/bulletin"
	"bulletin/internal/content"
)

// Item runs c through the same preparation as every other contribution
// (content.PrepareItem: plain-text title, URL check, body limits, sanitised
// HTML) and returns the item for newsletter (a slug) with status
// submitted. A body that is empty apart from a link makes a link item.
//
// On failure the item must not be stored, and reason says why in words for
// the contributor; err keeps the bulletin.Error for logs.
func (c Contribution) Item(newsletter string) (it bulletin.Item, reason string, err error) {
	it = bulletin.Item{
		Newsletter: newsletter,
		Title:      c.Title,
		Body:       c.Body,
		URL:        c.URL,
		Kind:       bulletin.KindArticle,
		Status:     bulletin.ItemSubmitted,
	}
	if strings.TrimSpace(c.Body) == "" && c.URL != "" {
		it.Kind = bulletin.KindLink
	}
	if err := content.PrepareItem(&it); err != nil {
		return bulletin.Item{}, Reason(err), err
	}
	return it, "", nil
}

// fieldNames says which part of the email each item field came from.
var fieldNames = map[string]string{
	"title": "The subject line (the item's title)",
	"body":  "The message text (the item's body)",
	"url":   "The link (the item's URL)",
}

// Reason turns a content error ("title: required") into a sentence about
// the email ("The subject line (the item's title) is required.").
func Reason(err error) string {
	msg := bulletin.ErrorMessage(err)
	field, detail, ok := strings.Cut(msg, ": ")
	name, known := fieldNames[field]
	if !ok || !known {
		return "The item could not be accepted: " + msg + "."
	}
	if detail == "required" {
		return name + " is empty, and it is required."
	}
	return name + ": " + detail + "."
}

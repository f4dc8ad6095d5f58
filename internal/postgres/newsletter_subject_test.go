package postgres_test

import (
	"context"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

// Issue 16, defect 7: a subject template was only parsed when saved, so
// {{.Secret}} saved fine and then broke every compile. Saving now runs it
// on a sample issue and refuses it with a clear error, changing nothing.
func TestSubjectTemplateTestRunWhenSaved(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	nl, err := db.EnsureDefaultNewsletter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"{{.Secret}}", "{{.Name.Foo}}", "{{template \"x\"}}"} {
		_, err := db.UpdateNewsletter(ctx, nl.Slug, bulletin.NewsletterUpdate{SubjectTemplate: &src})
		if bulletin.ErrorCode(err) != bulletin.EINVALID || !strings.Contains(bulletin.ErrorMessage(err), "sample issue") ||
			!strings.Contains(bulletin.ErrorMessage(err), "{{.FirstTitle}}") {
			t.Errorf("save %q: %v, want EINVALID naming the sample run and the fields", src, err)
		}
		n := &bulletin.Newsletter{Slug: "other", Name: "Other", SubjectTemplate: src}
		if err := db.CreateNewsletter(ctx, n); bulletin.ErrorCode(err) != bulletin.EINVALID {
			t.Errorf("create with %q: %v, want EINVALID", src, err)
		}
	}
	after, err := db.EnsureDefaultNewsletter(ctx)
	if err != nil || after.SubjectTemplate != nl.SubjectTemplate {
		t.Fatalf("subject template after refused saves: %q, %v; want %q", after.SubjectTemplate, err, nl.SubjectTemplate)
	}
	ok := "{{.Name}} #{{.Number}} ({{.Count}}): {{.FirstTitle}}, {{.Date}}"
	if _, err := db.UpdateNewsletter(ctx, nl.Slug, bulletin.NewsletterUpdate{SubjectTemplate: &ok}); err != nil {
		t.Fatalf("save %q: %v", ok, err)
	}
}

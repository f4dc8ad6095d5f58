package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"bulletin/internal/bulletin"
)

// demoUsers are the logins the demo creates, one per role.
func demoUsers() []struct{ email, name, role string } {
	return []struct{ email, name, role string }{
		{"admin@example.org", "Ada Admin", bulletin.RoleAdmin},
		{"editor@example.org", "Eddie Editor", bulletin.RoleEditor},
		{"contributor@example.org", "Cleo Contributor", bulletin.RoleContributor},
	}
}

// seedDemoUsers creates an admin, an editor and a contributor with random
// passwords, plus an API token for the editor, and returns lines that show
// them. On a resumed demo (users already there) it changes nothing: the
// passwords were printed by the first run.
func seedDemoUsers(ctx context.Context, m *Main) ([]string, error) {
	if err := demoNewsletterSettings(ctx, m); err != nil {
		return nil, err
	}
	if us, err := m.DB.FindUsers(ctx); err != nil {
		return nil, err
	} else if len(us) > 0 {
		return []string{"Logins:       existing demo users are unchanged (their passwords were printed by the first run)"}, nil
	}
	base := m.Config.BaseURL
	var lines []string
	for _, d := range demoUsers() {
		pw := randomPassword()
		u := &bulletin.User{Email: d.email, Name: d.name, Role: d.role}
		if err := m.DB.CreateUser(ctx, u, pw); err != nil {
			return nil, fmt.Errorf("demo user %s: %w", d.email, err)
		}
		label := map[string]string{bulletin.RoleAdmin: "Admin login", bulletin.RoleEditor: "Editor login", bulletin.RoleContributor: "Contributor"}[d.role]
		lines = append(lines, fmt.Sprintf("%-13s %s / %s at %s/admin/login", label+":", d.email, pw, base))
		if d.role == bulletin.RoleEditor {
			tok, _, err := m.DB.CreateToken(ctx, u.ID, "demo")
			if err != nil {
				return nil, err
			}
			lines = append(lines, fmt.Sprintf("Editor token: %s  (curl -H 'Authorization: Bearer %s' %s/api/v1/items)", tok, tok, base))
		}
	}
	return lines, nil
}

// demoNewsletterSettings gives the default newsletter, created bare by
// Main.Open, the demo's sender and schedule while it is untouched.
func demoNewsletterSettings(ctx context.Context, m *Main) error {
	n, err := m.DB.FindDefaultNewsletter(ctx)
	if err != nil || n.FromEmail != "" || n.LastNumber > 0 {
		return err
	}
	from, fromEmail, intro := "Riverside Weekly", "weekly@bulletin.example", "Good afternoon. Here is what happened around Riverside this week."
	schedule, autoSend := "CRON_TZ=Europe/London 0 17 * * TUE", true
	_, err = m.DB.UpdateNewsletter(ctx, n.Slug, bulletin.NewsletterUpdate{FromName: &from, FromEmail: &fromEmail,
		Intro: &intro, Schedule: &schedule, AutoSend: &autoSend})
	return err
}

// randomPassword returns 96 random bits, base64url: 16 characters.
func randomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

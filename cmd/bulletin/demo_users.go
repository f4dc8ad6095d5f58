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
// them. On a resumed demo (--data-dir) the demo users get fresh passwords,
// printed again, since the first run's are gone with its output; other
// users are left alone.
func seedDemoUsers(ctx context.Context, m *Main) ([]string, error) {
	if err := demoNewsletterSettings(ctx, m); err != nil {
		return nil, err
	}
	base := m.Config.BaseURL
	var lines []string
	for _, d := range demoUsers() {
		pw := randomPassword()
		u, err := m.DB.FindUserByEmail(ctx, d.email)
		fresh := bulletin.ErrorCode(err) == bulletin.ENOTFOUND
		switch {
		case fresh:
			u = &bulletin.User{Email: d.email, Name: d.name, Role: d.role}
			err = m.DB.CreateUser(ctx, u, pw)
		case err == nil:
			_, err = m.DB.UpdateUser(ctx, u.ID, bulletin.UserUpdate{Password: &pw})
		}
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", d.email, err)
		}
		label := map[string]string{bulletin.RoleAdmin: "Admin login", bulletin.RoleEditor: "Editor login", bulletin.RoleContributor: "Contributor"}[d.role]
		note := ""
		if !fresh {
			note = "  (a new password for this run)"
		}
		lines = append(lines, fmt.Sprintf("%-13s %s / %s at %s/login%s", label+":", d.email, pw, base, note))
		if d.role == bulletin.RoleEditor && fresh {
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

package web

import (
	"html/template"
	"regexp"
	"strings"
)

// Form errors. Services answer "field: what is wrong" (the API shows that
// as is); a form shows it as a sentence for people, in an error summary
// that takes the focus and links to the field, and the field is marked
// aria-invalid and described by the message.

// errorFieldRE matches the "field: " prefix of a service error.
var errorFieldRE = regexp.MustCompile(`^([a-z][a-z_]*): (.+)$`)

// fieldLabels names a form's fields in sentences.
var fieldLabels = map[string]string{
	"title": "title", "body": "text", "url": "link", "source": "source", "kind": "kind",
	"note": "note", "email": "email address", "name": "name", "password": "password",
	"slug": "short name", "section": "section", "newsletter": "newsletter", "list": "list",
	"schedule": "schedule", "from_email": "sender address", "from_name": "sender name",
	"reply_to": "reply-to address", "description": "description", "timezone": "time zone",
	"role": "role", "q": "search",
	"logo_url": "logo URL", "accent_color": "accent colour", "org_name": "organisation", "org_address": "postal address",
}

// errorField is the form field a service error is about, or "".
func errorField(msg string) string {
	m := errorFieldRE.FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	return m[1]
}

// humanError writes a service error as a sentence: "title: required"
// becomes "Enter a title.", "title: must be plain text, without HTML tags"
// becomes "The title must be plain text, without HTML tags."
func humanError(msg string) string {
	m := errorFieldRE.FindStringSubmatch(msg)
	if m == nil {
		return sentence(msg)
	}
	label, ok := fieldLabels[m[1]]
	if !ok {
		label = strings.ReplaceAll(m[1], "_", " ")
	}
	rest := m[2]
	switch {
	case rest == "required" || strings.HasPrefix(rest, "required "):
		return sentence("Enter the " + label + strings.TrimPrefix(rest, "required"))
	case strings.HasPrefix(rest, "must ") || strings.HasPrefix(rest, "is "):
		return sentence("The " + label + " " + rest)
	case strings.HasPrefix(rest, "not "):
		return sentence("The " + label + " is " + rest)
	case strings.HasPrefix(rest, "longer than "):
		return sentence("The " + label + " is " + rest)
	case strings.Contains(rest, " characters, at most "):
		n, most, _ := strings.Cut(rest, " characters, at most ")
		return sentence("The " + label + " is " + n + " characters long; it can have at most " + strings.TrimSuffix(most, " allowed") + " characters")
	}
	return sentence("The " + label + ": " + rest)
}

func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// invalidAttrs marks the field named field as invalid and described by the
// error summary's message when msg is about it; field "*" marks it on any
// error (a login form's fields, which an error never names). A field id
// may carry its form's prefix: "u-email" is the "email" field.
func invalidAttrs(msg, field string) template.HTMLAttr {
	f := errorField(msg)
	if msg == "" || (field != "*" && (f == "" || (field != f && !strings.HasSuffix(field, "-"+f)))) {
		return ""
	}
	return `aria-invalid="true" aria-describedby="error-message"`
}

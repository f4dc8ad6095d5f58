package web

// The JSON Schemas (2020-12, as OpenAPI 3.1 uses) of the API's bodies.
// Answers list every field they carry and nothing else, so that the
// OpenAPI test catches a field the server sends but the document lacks.

type obj = map[string]any

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }
func arrayOf(s obj) obj   { return obj{"type": "array", "items": s} }
func typ(t string) obj    { return obj{"type": t} }
func oneOf(vs ...any) obj { return obj{"type": "string", "enum": vs} }
func timeOrNull() obj     { return obj{"type": []string{"string", "null"}, "format": "date-time"} }
func timestamp() obj      { return obj{"type": "string", "format": "date-time"} }
func closed(p obj) obj    { return obj{"type": "object", "properties": p, "additionalProperties": false} }
func needs(s obj, r ...string) obj {
	s["required"] = r
	return s
}

// answer builds a closed object schema whose properties are all required
// except those named in optional.
func answerSchema(p obj, optional ...string) obj {
	opt := map[string]bool{}
	for _, o := range optional {
		opt[o] = true
	}
	var req []string
	for k := range p {
		if !opt[k] {
			req = append(req, k)
		}
	}
	return needs(closed(p), sortStrings(req)...)
}

func apiSchemas() obj {
	item := obj{"id": typ("integer"), "newsletter": typ("string"), "section": typ("string"),
		"contributor": typ("string"), "issue": typ("integer"), "kind": oneOf("article", "link"),
		"title": typ("string"), "body": typ("string"), "body_html": typ("string"), "url": typ("string"),
		"source": typ("string"), "closing": typ("boolean"), "status": oneOf("submitted", "approved", "rejected"),
		"position": typ("integer"), "review_note": typ("string"), "approved_at": timestamp(),
		"created_at": timestamp(), "updated_at": timestamp()}
	issue := obj{"number": typ("integer"), "slot": timestamp(), "status": oneOf("draft", "scheduled", "sending", "sent", "cancelled"),
		"subject": typ("string"), "preheader": typ("string"), "scheduled_at": timeOrNull(), "started_at": timeOrNull(),
		"sent_at": timeOrNull(), "created_at": timestamp(), "updated_at": timestamp()}
	detail := obj{"items": arrayOf(ref("Item")), "counts": ref("Counts"), "progress": ref("Progress")}
	for k, v := range issue {
		detail[k] = v
	}
	counts := obj{"total": typ("integer"), "pending": typ("integer"), "sent": typ("integer"), "failed": typ("integer")}
	progress := obj{"rate": typ("number"), "eta_seconds": typ("number"), "paused": typ("boolean"), "alarm": typ("string"),
		"fanning_out": typ("boolean")}
	for k, v := range counts {
		progress[k] = v
	}
	newsletter := obj{"slug": typ("string"), "name": typ("string"), "description": typ("string"),
		"from_name": typ("string"), "from_email": typ("string"), "reply_to": typ("string"), "schedule": typ("string"),
		"subject_template": typ("string"), "intro": typ("string"), "auto_send": typ("boolean"),
		"send_delay":  obj{"type": "string", "description": `a Go duration: "16h", "90m", "0s"`},
		"last_number": typ("integer"), "is_default": typ("boolean"), "lists": arrayOf(typ("string")),
		"welcome_email": obj{"type": "boolean", "description": "mail a welcome to readers who join through a public form (default true)"},
		"logo_url":      obj{"type": "string", "description": `"" or an https URL of the logo shown in the email and on public pages`},
		"accent_color":  obj{"type": "string", "pattern": "^(#[0-9a-fA-F]{6})?$", "description": `"" or "#rrggbb"; text on it is black or white, whichever contrasts more`},
		"org_name":      obj{"type": "string", "description": "organisation shown in the footers"},
		"org_address":   obj{"type": "string", "description": "its postal address; lines separated by \n"},
		"created_at":    timestamp(), "updated_at": timestamp()}
	newsletterReq := obj{}
	for _, k := range []string{"slug", "name", "description", "from_name", "from_email", "reply_to", "schedule",
		"subject_template", "intro", "auto_send", "send_delay", "lists", "is_default", "welcome_email",
		"logo_url", "accent_color", "org_name", "org_address"} {
		newsletterReq[k] = newsletter[k]
	}
	list := obj{"slug": typ("string"), "name": typ("string"), "description": typ("string"), "public": typ("boolean"),
		"double_optin": typ("boolean"), "created_at": timestamp(), "updated_at": timestamp()}
	listCounts := obj{"counts": ref("ListCounts")}
	for k, v := range list {
		listCounts[k] = v
	}
	subscriber := obj{"id": typ("integer"), "email": typ("string"), "name": typ("string"),
		"status": oneOf("pending", "active", "unsubscribed", "bounced", "blocklisted"), "created_at": timestamp(), "updated_at": timestamp()}
	subDetail := obj{"lists": arrayOf(ref("Membership"))}
	for k, v := range subscriber {
		subDetail[k] = v
	}
	role := oneOf("contributor", "editor", "admin")
	token := obj{"id": typ("integer"), "user_id": typ("integer"), "name": typ("string"), "created_at": timestamp(),
		"last_used_at": timeOrNull(), "revoked_at": timeOrNull()}
	tokenCreated := obj{"token": obj{"type": "string", "description": "shown once: send it as Authorization: Bearer TOKEN"}}
	for k, v := range token {
		tokenCreated[k] = v
	}
	return obj{
		"Error":   answerSchema(obj{"error": typ("string")}),
		"OpenAPI": needs(obj{"type": "object", "description": "an OpenAPI 3.1 document"}, "openapi", "info", "paths"),

		"Item":       answerSchema(item, "contributor", "issue", "approved_at"),
		"ItemCreate": needs(closed(obj{"title": typ("string"), "body": typ("string"), "url": typ("string"), "source": typ("string"), "section": typ("string"), "kind": oneOf("article", "link"), "closing": typ("boolean"), "newsletter": typ("string"), "status": oneOf("submitted", "approved")}), "title"),
		"ItemUpdate": closed(obj{"title": typ("string"), "body": typ("string"), "url": typ("string"), "source": typ("string"), "kind": oneOf("article", "link"), "closing": typ("boolean"), "newsletter": typ("string"), "section": typ("string"), "position": obj{"type": "integer", "minimum": 1}}),
		"Review":     closed(obj{"note": typ("string")}),

		"Issue":         answerSchema(issue, "slot", "started_at"),
		"IssueDetail":   answerSchema(detail, "slot", "started_at", "progress"),
		"Counts":        answerSchema(counts),
		"Progress":      answerSchema(progress, "alarm"),
		"Compile":       closed(obj{"allow_empty": typ("boolean")}),
		"TestSend":      needs(closed(obj{"email": typ("string")}), "email"),
		"IssueSchedule": needs(closed(obj{"at": obj{"type": "string", "format": "date-time"}}), "at"),
		"TestSent":      answerSchema(obj{"email": typ("string"), "reply": typ("string")}),

		"Newsletter":        answerSchema(newsletter),
		"NewsletterRequest": closed(newsletterReq),
		"Section":           answerSchema(obj{"id": typ("integer"), "slug": typ("string"), "name": typ("string"), "position": typ("integer")}),
		"SectionCreate":     needs(closed(obj{"slug": typ("string"), "name": typ("string"), "position": typ("integer")}), "slug", "name"),
		"SectionUpdate":     closed(obj{"name": typ("string"), "position": obj{"type": "integer", "minimum": 1}}),

		"User":         answerSchema(obj{"id": typ("integer"), "email": typ("string"), "name": typ("string"), "role": role, "created_at": timestamp(), "updated_at": timestamp()}),
		"UserCreate":   needs(closed(obj{"email": typ("string"), "name": typ("string"), "role": role, "password": typ("string")}), "email", "role"),
		"UserUpdate":   closed(obj{"name": typ("string"), "role": role, "password": typ("string")}),
		"Token":        answerSchema(token, "revoked_at"),
		"TokenCreated": answerSchema(tokenCreated, "revoked_at"),
		"TokenRequest": closed(obj{"name": typ("string"), "email": obj{"type": "string", "description": "admins only: the owner, when not the caller"}}),

		"List":             answerSchema(list),
		"ListWithCounts":   answerSchema(listCounts),
		"ListCounts":       answerSchema(obj{"active": typ("integer"), "pending": typ("integer"), "unsubscribed": typ("integer")}),
		"ListCreate":       needs(closed(obj{"slug": typ("string"), "name": typ("string"), "description": typ("string"), "public": typ("boolean"), "double_optin": typ("boolean")}), "slug", "name"),
		"ListUpdate":       closed(obj{"name": typ("string"), "description": typ("string"), "public": typ("boolean"), "double_optin": typ("boolean")}),
		"Subscriber":       answerSchema(subscriber),
		"SubscriberAdd":    needs(closed(obj{"email": typ("string"), "name": typ("string"), "confirmed": obj{"type": "boolean", "description": "admins only"}}), "email"),
		"SubscriberAdded":  answerSchema(obj{"subscriber": ref("Subscriber"), "list": typ("string"), "subscription_status": typ("string"), "confirmation_sent": typ("boolean")}),
		"SubscriberDetail": answerSchema(subDetail),
		"Membership":       answerSchema(obj{"list": ref("List"), "status": typ("string")}),
		"ImportResult":     answerSchema(obj{"imported": typ("integer"), "created": typ("integer"), "skipped": typ("integer"), "errors": obj{"type": []string{"array", "null"}, "items": answerSchema(obj{"line": typ("integer"), "error": typ("string")})}, "more_errors": typ("integer")}),
	}
}

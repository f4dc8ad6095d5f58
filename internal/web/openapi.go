package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// apiOp documents one API route: its JSON body (a schema name, "" for none)
// and its answers by status (schema name; "" for no body). Every API route
// of routes.go has one, which the OpenAPI test checks both ways.
type apiOp struct {
	Summary string
	Body    string
	Query   []string // query parameters, all optional strings
	Answers map[int]string
}

// Answers shared by many routes.
const (
	errorBody = "Error"
	noBody    = ""
)

func apiOperations() map[string]apiOp {
	item := map[int]string{200: "Item", 404: errorBody}
	issue := map[int]string{200: "IssueDetail", 400: errorBody, 404: errorBody, 422: errorBody}
	return map[string]apiOp{
		"GET /api/v1/openapi.json": {Summary: "This document", Answers: map[int]string{200: "OpenAPI"}},

		"POST /api/v1/newsletters/{nl}/issues":                     {Summary: "Compile the next issue now", Body: "Compile", Answers: map[int]string{201: "IssueDetail", 404: errorBody, 409: errorBody}},
		"GET /api/v1/newsletters/{nl}/issues":                      {Summary: "List issues, newest first", Answers: map[int]string{200: "[]Issue", 404: errorBody}},
		"GET /api/v1/newsletters/{nl}/issues/{number}":             {Summary: "An issue with its items, counts and progress", Answers: issue},
		"GET /api/v1/newsletters/{nl}/issues/{number}/preview":     {Summary: "The stored snapshot as HTML (?format=text: the text part)", Query: []string{"format"}, Answers: map[int]string{200: noBody, 404: errorBody}},
		"POST /api/v1/newsletters/{nl}/issues/{number}/cancel":     {Summary: "Cancel an unsent issue; its items go back to the queue", Answers: issue},
		"POST /api/v1/newsletters/{nl}/issues/{number}/schedule":   {Summary: "Set or move the send time of a draft or scheduled issue (future, at most a year ahead)", Body: "IssueSchedule", Answers: map[int]string{200: "IssueDetail", 400: errorBody, 404: errorBody, 422: errorBody}},
		"POST /api/v1/newsletters/{nl}/issues/{number}/unschedule": {Summary: "Take a scheduled issue back to draft", Answers: issue},
		"POST /api/v1/newsletters/{nl}/issues/{number}/render":     {Summary: "Render an unsent issue again from its items", Answers: issue},
		"POST /api/v1/newsletters/{nl}/issues/{number}/send":       {Summary: "Start sending", Answers: map[int]string{202: "IssueDetail", 404: errorBody, 422: errorBody}},
		"POST /api/v1/newsletters/{nl}/issues/{number}/test":       {Summary: "Send one test copy", Body: "TestSend", Answers: map[int]string{200: "TestSent", 400: errorBody, 404: errorBody}},
		"POST /api/v1/items":                                       {Summary: "Submit an item", Body: "ItemCreate", Answers: map[int]string{201: "Item", 400: errorBody}},
		"GET /api/v1/items":                                        {Summary: "List items (contributors: their own)", Query: []string{"status", "newsletter", "section", "contributor", "limit", "offset"}, Answers: map[int]string{200: "[]Item", 400: errorBody}},
		"GET /api/v1/items/{id}":                                   {Summary: "One item", Answers: item},
		"PATCH /api/v1/items/{id}":                                 {Summary: "Edit an item; one in an unsent issue is corrected and the issue rendered again", Body: "ItemUpdate", Answers: map[int]string{200: "Item", 400: errorBody, 404: errorBody, 422: errorBody}},
		"DELETE /api/v1/items/{id}":                                {Summary: "Delete an item", Answers: map[int]string{204: noBody, 404: errorBody, 422: errorBody}},
		"POST /api/v1/items/{id}/approve":                          {Summary: "Approve an item", Body: "Review", Answers: map[int]string{200: "Item", 404: errorBody, 422: errorBody}},
		"POST /api/v1/items/{id}/reject":                           {Summary: "Reject an item", Body: "Review", Answers: map[int]string{200: "Item", 404: errorBody, 422: errorBody}},
		"GET /api/v1/newsletters":                                  {Summary: "List newsletters", Answers: map[int]string{200: "[]Newsletter"}},
		"POST /api/v1/newsletters":                                 {Summary: "Create a newsletter", Body: "NewsletterRequest", Answers: map[int]string{201: "Newsletter", 400: errorBody, 409: errorBody}},
		"GET /api/v1/newsletters/{nl}":                             {Summary: "One newsletter", Answers: map[int]string{200: "Newsletter", 404: errorBody}},
		"PATCH /api/v1/newsletters/{nl}":                           {Summary: "Change a newsletter (not its slug)", Body: "NewsletterRequest", Answers: map[int]string{200: "Newsletter", 400: errorBody, 404: errorBody}},
		"GET /api/v1/newsletters/{nl}/sections":                    {Summary: "A newsletter's sections, in order", Answers: map[int]string{200: "[]Section", 404: errorBody}},
		"POST /api/v1/newsletters/{nl}/sections":                   {Summary: "Add a section", Body: "SectionCreate", Answers: map[int]string{201: "Section", 400: errorBody, 404: errorBody, 409: errorBody}},
		"PATCH /api/v1/newsletters/{nl}/sections/{slug}":           {Summary: "Rename or move a section", Body: "SectionUpdate", Answers: map[int]string{200: "Section", 400: errorBody, 404: errorBody}},
		"GET /api/v1/users":                                        {Summary: "List users", Answers: map[int]string{200: "[]User"}},
		"POST /api/v1/users":                                       {Summary: "Add a user", Body: "UserCreate", Answers: map[int]string{201: "User", 400: errorBody, 409: errorBody}},
		"PATCH /api/v1/users/{id}":                                 {Summary: "Change a user (not your own admin role, nor the last admin's)", Body: "UserUpdate", Answers: map[int]string{200: "User", 400: errorBody, 404: errorBody, 422: errorBody}},
		"DELETE /api/v1/users/{id}":                                {Summary: "Delete a user (not yourself, nor the last admin)", Answers: map[int]string{204: noBody, 404: errorBody, 422: errorBody}},
		"GET /api/v1/tokens":                                       {Summary: "Your API tokens", Answers: map[int]string{200: "[]Token"}},
		"POST /api/v1/tokens":                                      {Summary: "Make an API token", Body: "TokenRequest", Answers: map[int]string{201: "TokenCreated", 400: errorBody}},
		"DELETE /api/v1/tokens/{id}":                               {Summary: "Revoke a token (yours; admins: any)", Answers: map[int]string{204: noBody, 404: errorBody}},
		"GET /api/v1/lists":                                        {Summary: "List mailing lists", Answers: map[int]string{200: "[]List"}},
		"POST /api/v1/lists":                                       {Summary: "Create a list", Body: "ListCreate", Answers: map[int]string{201: "List", 400: errorBody, 409: errorBody}},
		"GET /api/v1/lists/{list}":                                 {Summary: "A list with its counts", Answers: map[int]string{200: "ListWithCounts", 404: errorBody}},
		"PATCH /api/v1/lists/{list}":                               {Summary: "Change a list", Body: "ListUpdate", Answers: map[int]string{200: "List", 400: errorBody, 404: errorBody}},
		"DELETE /api/v1/lists/{list}":                              {Summary: "Delete a list", Answers: map[int]string{204: noBody, 404: errorBody}},
		"POST /api/v1/lists/{list}/subscribers":                    {Summary: "Add an address (double opt-in unless confirmed by an admin)", Body: "SubscriberAdd", Answers: map[int]string{200: "SubscriberAdded", 201: "SubscriberAdded", 400: errorBody, 404: errorBody}},
		"POST /api/v1/lists/{list}/subscribers/import":             {Summary: "Import a text/csv body (email,name)", Body: "text/csv", Answers: map[int]string{200: "ImportResult", 400: errorBody, 404: errorBody, 413: errorBody}},
		"GET /api/v1/lists/{list}/subscribers/export":              {Summary: "Export as text/csv (email,name,status)", Answers: map[int]string{200: noBody, 404: errorBody}},
		"GET /api/v1/subscribers":                                  {Summary: "Find by ?email=, or page with ?after=ID&limit=N", Query: []string{"email", "after", "limit"}, Answers: map[int]string{200: "[]SubscriberDetail", 400: errorBody}},
		"DELETE /api/v1/subscribers/{id}":                          {Summary: "Erase a subscriber's personal data", Answers: map[int]string{204: noBody, 404: errorBody}},
	}
}

// openAPI builds the OpenAPI 3.1 document of /api/v1 from apiOperations
// and the roles of the route table.
func (s *Server) openAPI() obj {
	roles := map[string]string{}
	for _, rt := range s.table {
		roles[rt.Pattern] = rt.Role
	}
	paths := obj{}
	ops := withReportOperations(apiOperations())
	for _, pattern := range sortStrings(mapKeys(ops)) {
		op := ops[pattern]
		method, path, _ := strings.Cut(pattern, " ")
		role := roles[pattern]
		o := obj{"summary": op.Summary, "operationId": operationID(method, path), "responses": responses(op, role)}
		var params []obj
		for _, seg := range strings.Split(path, "/") {
			if name, ok := strings.CutPrefix(seg, "{"); ok {
				name = strings.TrimSuffix(name, "}")
				t := "string"
				if name == "id" || name == "number" {
					t = "integer"
				}
				params = append(params, obj{"name": name, "in": "path", "required": true, "schema": typ(t)})
			}
		}
		for _, q := range op.Query {
			params = append(params, obj{"name": q, "in": "query", "schema": typ("string")})
		}
		if params != nil {
			o["parameters"] = params
		}
		switch op.Body {
		case "":
		case "text/csv":
			o["requestBody"] = obj{"required": true, "content": obj{"text/csv": obj{"schema": typ("string")}}}
		default:
			o["requestBody"] = obj{"content": obj{"application/json": obj{"schema": ref(op.Body)}}}
		}
		if role == anyone {
			o["security"] = []obj{}
		} else {
			o["description"] = "Least role: " + role + "."
		}
		p, _ := paths[path].(obj)
		if p == nil {
			p = obj{}
			paths[path] = p
		}
		p[strings.ToLower(method)] = o
	}
	return obj{
		"openapi": "3.1.0",
		"info": obj{"title": "Bulletin API", "version": "1",
			"description": "Items, issues, newsletters, lists, subscribers and accounts of a Bulletin install. Authenticate with an API token (bulletin token create, or POST /api/v1/tokens) as Authorization: Bearer TOKEN."},
		"servers":    []obj{{"url": s.BaseURL}},
		"security":   []obj{{"bearer": []string{}}},
		"paths":      paths,
		"components": obj{"schemas": withReportSchemas(apiSchemas()), "securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer"}}},
	}
}

// responses documents op's answers, plus 401 and 403 for routes that need
// a role.
func responses(op apiOp, role string) obj {
	out := obj{}
	for status, schema := range op.Answers {
		r := obj{"description": http.StatusText(status)}
		switch {
		case schema == noBody:
		case strings.HasPrefix(schema, "[]"):
			r["content"] = obj{"application/json": obj{"schema": arrayOf(ref(schema[2:]))}}
		default:
			r["content"] = obj{"application/json": obj{"schema": ref(schema)}}
		}
		out[strconv.Itoa(status)] = r
	}
	for _, status := range []int{401, 403} {
		if role == anyone {
			break
		}
		out[strconv.Itoa(status)] = obj{"description": http.StatusText(status), "content": obj{"application/json": obj{"schema": ref(errorBody)}}}
	}
	return out
}

func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/") {
		seg = strings.Trim(seg, "{}")
		seg = strings.ReplaceAll(seg, ".", "_")
		if seg != "" {
			b.WriteString(strings.ToUpper(seg[:1]) + seg[1:])
		}
	}
	return b.String()
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*") // for client generators and API explorers
	writeJSON(w, http.StatusOK, s.openAPI())
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func sortStrings(s []string) []string {
	slices.Sort(s)
	return s
}

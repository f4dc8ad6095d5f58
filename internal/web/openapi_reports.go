package web

// The reports' part of the OpenAPI document (issue 15), kept apart so that
// the shared tables in openapi.go and openapi_schemas.go only name it.

func withReportOperations(ops map[string]apiOp) map[string]apiOp {
	ops["GET /api/v1/newsletters/{nl}/issues/{number}/report"] = apiOp{
		Summary: "An issue's report: delivery, bounces, complaints, unsubscribes attributed to it, clicks per item, link and day",
		Answers: map[int]string{200: "IssueReport", 400: errorBody, 404: errorBody}}
	ops["GET /api/v1/lists/{list}/growth"] = apiOp{
		Summary: "A list's growth by week (?weeks=1…520, 26 unless given): confirmed, unsubscribes by how, bounces, active total",
		Query:   []string{"weeks"},
		Answers: map[int]string{200: "ListGrowth", 400: errorBody, 404: errorBody}}
	return ops
}

func withReportSchemas(s obj) obj {
	intOrNull := obj{"type": []string{"integer", "null"}}
	hows := obj{}
	for _, how := range []string{"link", "mailto", "preferences", "complaint", "admin", "import", "other"} {
		hows[how] = typ("integer")
	}
	s["IssueReport"] = answerSchema(obj{
		"newsletter": typ("string"), "number": typ("integer"), "subject": typ("string"), "status": typ("string"),
		"sent_from": timeOrNull(), "sent_until": timeOrNull(),
		"recipients": typ("integer"), "delivered": typ("integer"), "failed": typ("integer"), "bounced": typ("integer"),
		"complaints": typ("integer"), "unsubscribes": typ("integer"), "clicks": typ("integer"), "opens": typ("integer"),
		"links": arrayOf(answerSchema(obj{"link": typ("integer"), "url": typ("string"), "item": intOrNull, "clicks": typ("integer")})),
		"items": arrayOf(answerSchema(obj{"number": typ("integer"), "title": typ("string"), "clicks": typ("integer")})),
		"days":  arrayOf(answerSchema(obj{"day": obj{"type": "string", "format": "date"}, "clicks": typ("integer")})),
	})
	s["ListGrowth"] = answerSchema(obj{"list": typ("string"), "name": typ("string"), "weeks": arrayOf(answerSchema(obj{
		"week": obj{"type": "string", "format": "date"}, "confirmed": typ("integer"), "unsubscribed": answerSchema(hows),
		"unsubscribes": typ("integer"), "bounced": typ("integer"), "active": typ("integer")}))})
	return s
}

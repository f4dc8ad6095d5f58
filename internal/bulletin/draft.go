package bulletin

import "time"

// Draft is an issue about to be rendered: what the compile stage hands to
// the renderer (compile.Draft).
type Draft struct {
	Newsletter *Newsletter
	Number     int
	Date       time.Time // the slot or now, in the newsletter's zone
	Sections   []Section
	Items      []Item
}

// Rendered is the snapshot stored on the issue (compile.Rendered).
type Rendered struct {
	Subject, Preheader, HTML, Text string
}

package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"bulletin/internal/bulletin"
	"bulletin/internal/inbound"
)

// InboundPages is what the Inbound page needs (issue 13): stored inbound
// messages and the per-issue counts, "process again" and "make it an
// item". main wires the store and the processor together.
type InboundPages interface {
	FindInboundMessages(ctx context.Context, kind string, limit int) ([]inbound.Message, error)
	FindInbound(ctx context.Context, id int64) (*inbound.Message, error)
	InboundIssueCounts(ctx context.Context, limit int) ([]inbound.IssueCounts, error)
	ProcessInboundAgain(ctx context.Context, id int64) error
	MakeInboundItem(ctx context.Context, id int64) (int64, error)
}

type inboundListView struct {
	Kind     string
	Kinds    []string
	Messages []inbound.Message
	Issues   []inbound.IssueCounts
	Line     float64
}

func (s *Server) handleInboundList(w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("kind")
	if kind != "" && !slices.Contains(inbound.Kinds(), kind) {
		s.pageError(w, r, bulletin.Errorf(bulletin.EINVALID, "kind %q is not one of %s", kind, strings.Join(inbound.Kinds(), ", ")))
		return
	}
	ms, err := s.Inbound.FindInboundMessages(r.Context(), kind, 200)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	issues, err := s.Inbound.InboundIssueCounts(r.Context(), 10)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.adminPage(w, r, http.StatusOK, "admin/inbound.html", "Inbound mail",
		inboundListView{Kind: kind, Kinds: inbound.Kinds(), Messages: ms, Issues: issues, Line: inbound.ComplaintLine})
}

type inboundView struct {
	Message *inbound.Message
	Raw     string
}

func (s *Server) handleInboundShow(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	m, err := s.Inbound.FindInbound(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	raw := string(m.Raw)
	if !utf8.ValidString(raw) {
		raw = strings.ToValidUTF8(raw, "\uFFFD")
	}
	s.adminPage(w, r, http.StatusOK, "admin/inbound_message.html", "Inbound message", inboundView{Message: m, Raw: raw})
}

func (s *Server) handleInboundProcess(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if err := s.Inbound.ProcessInboundAgain(r.Context(), id); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "Processed message %d again", id)
	back(w, r, "/admin/inbound/")
}

func (s *Server) handleInboundItem(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	item, err := s.Inbound.MakeInboundItem(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "Message %d is now item %d, awaiting review", id, item)
	back(w, r, "/admin/inbound/")
}

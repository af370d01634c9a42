package api

import (
	"encoding/json"
	"net/http"

	"github.com/berthproject/berth/internal/registry"
)

// progressMessage is Docker's JSON progress message (jsonstream.Message).
type progressMessage struct {
	Status         string          `json:"status,omitempty"`
	ProgressDetail *progressDetail `json:"progressDetail,omitempty"`
	ID             string          `json:"id,omitempty"`
	Aux            any             `json:"aux,omitempty"`
	ErrorDetail    *errorDetail    `json:"errorDetail,omitempty"`
	Error          string          `json:"error,omitempty"`
}

type progressDetail struct {
	Current int64 `json:"current,omitempty"`
	Total   int64 `json:"total,omitempty"`
}

type errorDetail struct {
	Message string `json:"message"`
}

// progressStream writes a pull's or push's progress as it happens. Until
// the first message, a failure is still a plain HTTP error with its
// status; after it, the failure is the stream's last message, as Docker
// sends it.
type progressStream struct {
	w       http.ResponseWriter
	enc     *json.Encoder
	started bool
}

func newProgressStream(w http.ResponseWriter) *progressStream {
	return &progressStream{w: w, enc: json.NewEncoder(w)}
}

func (p *progressStream) write(m progressMessage) {
	if !p.started {
		p.started = true
		p.w.Header().Set("Content-Type", "application/json")
		p.w.WriteHeader(http.StatusOK)
	}
	_ = p.enc.Encode(m)
	if f, ok := p.w.(http.Flusher); ok {
		f.Flush()
	}
}

// send is the registry's ProgressFunc.
func (p *progressStream) send(pr registry.Progress) {
	m := progressMessage{Status: pr.Status, ID: pr.ID, Aux: pr.Aux}
	// Docker sends an empty progressDetail with every per-layer status: it
	// is what makes a client redraw the layer's line in place.
	if pr.Detail || pr.ID != "" {
		m.ProgressDetail = &progressDetail{Current: pr.Current, Total: pr.Total}
	}
	p.write(m)
}

// finish ends the stream with err.
func (p *progressStream) finish(err error) error {
	if err == nil {
		if !p.started {
			p.write(progressMessage{})
		}
		return nil
	}
	if !p.started {
		return err
	}
	p.write(progressMessage{Error: err.Error(), ErrorDetail: &errorDetail{Message: err.Error()}})
	return nil
}

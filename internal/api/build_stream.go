package api

import (
	"encoding/json"
	"net/http"
	"sync"
)

// jsonError is the errorDetail of Docker's JSON message stream.
type jsonError struct {
	Message string `json:"message"`
}

// buildMessage is one line of a build's stream: text, the image ID, or
// the error that ended it.
type buildMessage struct {
	jsonMessage
	Aux         any        `json:"aux,omitempty"`
	ErrorDetail *jsonError `json:"errorDetail,omitempty"`
	Error       string     `json:"error,omitempty"`
}

// buildStream turns a build's progress into JSON messages, flushed as
// they come so that the client shows each step live.
type buildStream struct {
	mu      sync.Mutex
	w       http.ResponseWriter
	started bool
}

func (b *buildStream) Write(p []byte) (int, error) {
	if err := b.send(jsonMessage{Stream: string(p)}, nil); err != nil {
		return 0, err
	}
	return len(p), nil
}

// ImageID sends the aux message with the built image's ID.
func (b *buildStream) ImageID(id string) {
	b.sendMsg(buildMessage{Aux: map[string]string{"ID": id}})
}

func (b *buildStream) send(m jsonMessage, e *jsonError) error {
	bm := buildMessage{jsonMessage: m, ErrorDetail: e}
	if e != nil {
		bm.Error = e.Message
	}
	return b.sendMsg(bm)
}

func (b *buildStream) sendMsg(m buildMessage) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.started {
		b.w.Header().Set("Content-Type", "application/json")
		b.w.WriteHeader(http.StatusOK)
		b.started = true
	}
	if err := json.NewEncoder(b.w).Encode(m); err != nil {
		return err
	}
	if f, ok := b.w.(http.Flusher); ok {
		f.Flush()
	}
	return nil
}

package server

import (
	"encoding/json"
	"io"
)

type lineEncoder struct{ enc *json.Encoder }

// newLineEncoder writes one JSON value per line (json.Encoder adds "\n").
func newLineEncoder(w io.Writer) lineEncoder { return lineEncoder{json.NewEncoder(w)} }

func (e lineEncoder) encode(v any) error { return e.enc.Encode(v) }

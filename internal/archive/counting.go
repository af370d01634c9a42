package archive

import "io"

// CountingReader passes R's bytes through and counts them in N: a tar
// stream's size as it is read (an empty layer, a layer's compressed size,
// what cp copied).
type CountingReader struct {
	R io.Reader
	N int64
}

func (c *CountingReader) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	c.N += int64(n)
	return n, err
}

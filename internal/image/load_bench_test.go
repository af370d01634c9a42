package image

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"testing"
)

// BenchmarkLoad loads a 5-layer, 40 MiB docker-archive of random data into
// an empty store (bench/load.sh compares the same path, through the
// daemon, with podman and docker).
func BenchmarkLoad(b *testing.B) {
	var layers [][]byte
	for i := range 5 {
		data := make([]byte, 8<<20)
		rand.Read(data)
		layers = append(layers, makeTar(b, []tarEntry{{Name: fmt.Sprintf("data%d", i), Body: data}}))
	}
	arch := dockerArchiveOf(b, []string{"bench:1"}, "bench", layers...)
	ctx := context.Background()
	b.SetBytes(int64(len(arch)))
	for b.Loop() {
		b.StopTimer()
		svc, _ := newTestService(b)
		b.StartTimer()
		if _, err := svc.Load(ctx, bytes.NewReader(arch)); err != nil {
			b.Fatal(err)
		}
	}
}

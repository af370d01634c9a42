package shim_test

import (
	"testing"
	"time"
)

// BenchmarkRunTrue is one `run --rm true` through the shim: create, start,
// wait, delete (the runtime's work plus the shim's: fifos, log, records).
func BenchmarkRunTrue(b *testing.B) {
	e := newEnv(b)
	b.ResetTimer()
	var phase [4]time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		id, req := e.create(false, "true")
		b.StartTimer()
		t0 := time.Now()
		if _, err := e.c.Create(e.ctx, req); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := e.c.Start(e.ctx, id); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if st, err := e.c.Wait(e.ctx, id); err != nil || st.ExitCode != 0 {
			b.Fatalf("wait: %+v %v", st, err)
		}
		t3 := time.Now()
		if err := e.c.Delete(e.ctx, id); err != nil {
			b.Fatal(err)
		}
		t4 := time.Now()
		for j, d := range []time.Duration{t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), t4.Sub(t3)} {
			phase[j] += d
		}
	}
	for j, name := range []string{"create", "start", "wait", "delete"} {
		b.ReportMetric(float64(phase[j].Microseconds())/float64(b.N)/1000, name+"-ms/op")
	}
}

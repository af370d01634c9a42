package logfile

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/containerd/errdefs"
)

func newWriter(t *testing.T, cfg Config) *Writer {
	t.Helper()
	w, err := NewWriter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func readAll(t *testing.T, cfg Config, opts ReadOptions) []Message {
	t.Helper()
	ch, err := Read(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	var out []Message
	for m := range ch {
		out = append(out, m)
	}
	return out
}

func lines(ms []Message) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%s:%s", m.Stream, m.Line)
	}
	return b.String()
}

var both = ReadOptions{Tail: -1, Stdout: true, Stderr: true}

func TestJSONFileIsDockersFormat(t *testing.T) {
	cfg := Config{Path: filepath.Join(t.TempDir(), "c-json.log")}
	w := newWriter(t, cfg)
	out, errs := w.Stream(Stdout), w.Stream(Stderr)
	fmt.Fprint(out, "hello\nwor")
	fmt.Fprint(errs, "oops\n")
	fmt.Fprint(out, "ld\n\"quoted\" \x01\n")
	fmt.Fprint(out, "no newline")
	out.Close()
	f, err := os.Open(cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %q is not JSON: %v", sc.Text(), err)
		}
		if len(rec) != 3 {
			t.Errorf("record %q has keys other than log, stream, time", sc.Text())
		}
		ts, _ := rec["time"].(string)
		if _, err := time.Parse(time.RFC3339Nano, ts); err != nil || !strings.HasSuffix(ts, "Z") {
			t.Errorf("time %q is not RFC3339Nano UTC", ts)
		}
		got = append(got, fmt.Sprintf("%s|%s", rec["stream"], rec["log"]))
	}
	want := []string{"stdout|hello\n", "stderr|oops\n", "stdout|world\n", "stdout|\"quoted\" \x01\n", "stdout|no newline"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("records\n got %q\nwant %q", got, want)
	}
	if ms := readAll(t, cfg, both); lines(ms) != "stdout:hello\nstderr:oops\nstdout:world\nstdout:\"quoted\" \x01\nstdout:no newline" {
		t.Errorf("read back %q", lines(ms))
	}
}

func TestLongLineSplitsIntoPartials(t *testing.T) {
	cfg := Config{Driver: DriverLocal, Path: filepath.Join(t.TempDir(), "log")}
	w := newWriter(t, cfg)
	long := strings.Repeat("x", MaxLine*2+10) + "\n"
	fmt.Fprint(w.Stream(Stdout), long)
	ms := readAll(t, cfg, both)
	if len(ms) != 3 || len(ms[0].Line) != MaxLine || string(ms[2].Line) != strings.Repeat("x", 10)+"\n" {
		t.Fatalf("got %d records", len(ms))
	}
	var joined string
	for _, m := range ms {
		joined += string(m.Line)
	}
	if joined != long {
		t.Error("partials do not join back to the line")
	}
}

func TestRotation(t *testing.T) {
	for _, driver := range []string{DriverJSONFile, DriverLocal} {
		t.Run(driver, func(t *testing.T) {
			cfg := Config{Driver: driver, Path: filepath.Join(t.TempDir(), "log"), MaxSize: 300, MaxFiles: 3}
			w := newWriter(t, cfg)
			s := w.Stream(Stdout)
			for i := 0; i < 100; i++ {
				fmt.Fprintf(s, "line %03d\n", i)
			}
			for _, p := range []string{cfg.Path, cfg.Path + ".1", cfg.Path + ".2"} {
				st, err := os.Stat(p)
				if err != nil {
					t.Fatalf("rotated file missing: %v", err)
				}
				if st.Size() > cfg.MaxSize {
					t.Errorf("%s is %d bytes, over max-size %d", p, st.Size(), cfg.MaxSize)
				}
			}
			if _, err := os.Stat(cfg.Path + ".3"); err == nil {
				t.Error("more files kept than max-file")
			}
			ms := readAll(t, cfg, both)
			if len(ms) == 0 || string(ms[len(ms)-1].Line) != "line 099\n" {
				t.Fatalf("last record %q", lines(ms))
			}
			for i := 1; i < len(ms); i++ {
				if string(ms[i-1].Line) >= string(ms[i].Line) {
					t.Fatalf("records out of order across rotated files: %q then %q", ms[i-1].Line, ms[i].Line)
				}
			}
		})
	}
}

func TestMaxFileOneTruncates(t *testing.T) {
	cfg := Config{Path: filepath.Join(t.TempDir(), "log"), MaxSize: 200, MaxFiles: 1}
	w := newWriter(t, cfg)
	s := w.Stream(Stdout)
	for i := 0; i < 20; i++ {
		fmt.Fprintf(s, "line %02d\n", i)
	}
	st, err := os.Stat(cfg.Path)
	if err != nil || st.Size() > 200 {
		t.Fatalf("log not kept under max-size: %v %v", st, err)
	}
	if _, err := os.Stat(cfg.Path + ".1"); err == nil {
		t.Error("max-file 1 must not keep a rotated file")
	}
}

func TestFilters(t *testing.T) {
	cfg := Config{Path: filepath.Join(t.TempDir(), "log")}
	w := newWriter(t, cfg)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 6; i++ {
		stream := Stdout
		if i%2 == 1 {
			stream = Stderr
		}
		if err := w.Write(Message{Stream: stream, Line: []byte(fmt.Sprintf("%d\n", i)), Time: t0.Add(time.Duration(i) * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		opts ReadOptions
		want string
	}{
		{"tail", ReadOptions{Tail: 2, Stdout: true, Stderr: true}, "stdout:4\nstderr:5\n"},
		{"tail0", ReadOptions{Tail: 0, Stdout: true, Stderr: true}, ""},
		{"stderr", ReadOptions{Tail: -1, Stderr: true}, "stderr:1\nstderr:3\nstderr:5\n"},
		{"since-until", ReadOptions{Tail: -1, Stdout: true, Stderr: true, Since: t0.Add(2 * time.Second), Until: t0.Add(3 * time.Second)}, "stdout:2\nstderr:3\n"},
		{"stdout-tail", ReadOptions{Tail: 1, Stdout: true}, "stdout:4\n"},
	}
	for _, c := range cases {
		if got := lines(readAll(t, cfg, c.opts)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestFollowAcrossRotation(t *testing.T) {
	cfg := Config{Path: filepath.Join(t.TempDir(), "log"), MaxSize: 250, MaxFiles: 2}
	w := newWriter(t, cfg)
	s := w.Stream(Stdout)
	fmt.Fprint(s, "before\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := Read(ctx, cfg, ReadOptions{Follow: true, Tail: -1, Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	if m := <-ch; string(m.Line) != "before\n" {
		t.Fatalf("first record %q", m.Line)
	}
	// Each line is read before the next is written, so none is lost to
	// a rotation that drops a whole file.
	for i := 0; i < 20; i++ {
		fmt.Fprintf(s, "line %02d\n", i)
		if m := <-ch; string(m.Line) != fmt.Sprintf("line %02d\n", i) {
			t.Fatalf("followed record %d: %q", i, m.Line)
		}
	}
	cancel()
	for range ch {
	}
}

func TestBadInput(t *testing.T) {
	if _, err := NewWriter(Config{Driver: "syslog", Path: "/tmp/x"}); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("unknown driver: %v", err)
	}
	if _, err := NewWriter(Config{}); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("no path: %v", err)
	}
	if _, err := Read(context.Background(), Config{Driver: DriverNone}, both); !errors.Is(err, errdefs.ErrNotImplemented) {
		t.Errorf("read of none: %v", err)
	}
	if _, err := Read(context.Background(), Config{Path: "/x"}, ReadOptions{}); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("no stream chosen: %v", err)
	}
	w, err := NewWriter(Config{Driver: DriverNone})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Fprint(w.Stream(Stdout), "dropped\n"); err != nil {
		t.Errorf("none driver write: %v", err)
	}
	// A log not written yet reads as empty.
	if ms := readAll(t, Config{Path: filepath.Join(t.TempDir(), "absent")}, both); len(ms) != 0 {
		t.Errorf("absent log: %d records", len(ms))
	}
}

package daemon

import (
	"net/http"
	"time"
)

// releaseAfterQuiet is how long the API must see no request begin or end
// before the daemon hands the memory its last burst of work freed back to
// the OS.
const releaseAfterQuiet = 2 * time.Second

// memoryReleaser returns freed memory to the OS once the API goes quiet.
//
// Why: after a burst of work (bench/idle-memory.sh imports, saves, removes
// and loads back 10 images) the Go heap keeps the burst's garbage until the
// next GC, which a quiet daemon never reaches (the heap goal never drops
// below 4 MB), and the background scavenger returns free pages to the OS
// only slowly. Measured with that workload: 7.1 MiB RssAnon at idle before,
// ~4.1 MiB with one debug.FreeOSMemory after 2 s of quiet. The release is a
// forced GC of a heap of a few MB (0.6-7 ms measured, the longer ones on a
// loaded machine), at most once per quiet period, so a busy daemon never
// pays it between requests.
type memoryReleaser struct {
	quiet time.Duration
	timer *time.Timer
}

// newMemoryReleaser arms the first release, so that the memory of start-up
// (opening the stores, recovery) is returned too.
func newMemoryReleaser(quiet time.Duration, release func()) *memoryReleaser {
	return &memoryReleaser{quiet: quiet, timer: time.AfterFunc(quiet, release)}
}

// wrap restarts the quiet period when a request begins and when it ends. A
// request that runs longer than the quiet period (a long pull, a followed
// log) sees one release while it runs, which costs it nothing noticeable.
func (m *memoryReleaser) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.timer.Reset(m.quiet)
		defer m.timer.Reset(m.quiet)
		next.ServeHTTP(w, r)
	})
}

// stop cancels a pending release.
func (m *memoryReleaser) stop() { m.timer.Stop() }

package runtime

import "time"

// sleep is the poll interval of loops that wait for a state change.
func sleep() { time.Sleep(10 * time.Millisecond) }

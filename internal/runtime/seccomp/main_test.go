package seccomp

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// A filter cannot be removed once installed, so filters are tested in a
// re-executed copy of the test binary: the helper loads the profile from
// profileEnv, runs the syscalls listed in probeEnv and prints their errnos.
const (
	profileEnv = "BERTH_SECCOMP_TEST_PROFILE"
	programEnv = "BERTH_SECCOMP_TEST_PROGRAM" // a compiled Program instead
	probeEnv   = "BERTH_SECCOMP_TEST_PROBES"
)

func TestMain(m *testing.M) {
	if p := os.Getenv(profileEnv); p != "" {
		runHelper(p, os.Getenv(probeEnv))
	}
	if p := os.Getenv(programEnv); p != "" {
		runHelper(p, os.Getenv(probeEnv))
	}
	os.Exit(m.Run())
}

// runHelper never returns. Probes are "getppid" or "getpriority WHICH WHO",
// separated by ";"; each prints "errno=N".
func runHelper(profile, probes string) {
	install := func() error {
		if os.Getenv(programEnv) != "" {
			var p Program
			if err := json.Unmarshal([]byte(profile), &p); err != nil {
				return err
			}
			return p.Install()
		}
		var cfg specs.LinuxSeccomp
		if err := json.Unmarshal([]byte(profile), &cfg); err != nil {
			return err
		}
		return Load(&cfg)
	}
	// no_new_privs lets the helper install a filter without CAP_SYS_ADMIN,
	// so these tests also run as an ordinary user.
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		fmt.Println("no_new_privs:", err)
		os.Exit(3)
	}
	if err := install(); err != nil {
		fmt.Println("load:", err)
		os.Exit(4)
	}
	var out strings.Builder
	for _, probe := range strings.Split(probes, ";") {
		f := strings.Fields(probe)
		var errno unix.Errno
		switch f[0] {
		case "getppid":
			_, _, errno = unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0)
		case "getpriority":
			which, _ := strconv.ParseUint(f[1], 0, 64)
			who, _ := strconv.ParseUint(f[2], 0, 64)
			_, _, errno = unix.RawSyscall(unix.SYS_GETPRIORITY, uintptr(which), uintptr(who), 0)
		}
		fmt.Fprintf(&out, "errno=%d\n", int(errno))
	}
	os.Stdout.WriteString(out.String())
	os.Exit(0)
}

// runProbes loads cfg in a helper process and returns one errno per probe.
func runProbes(t *testing.T, cfg any, probes ...string) []int {
	t.Helper()
	out, err := helper(t, cfg, probes...).Output()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	var errnos []int
	for line := range strings.Lines(string(out)) {
		n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(line), "errno="))
		if err != nil {
			t.Fatalf("helper printed %q", out)
		}
		errnos = append(errnos, n)
	}
	if len(errnos) != len(probes) {
		t.Fatalf("helper printed %q for %d probes", out, len(probes))
	}
	return errnos
}

// helper returns the helper command for a profile (*specs.LinuxSeccomp,
// installed with Load) or a compiled *Program (installed with Install).
func helper(t *testing.T, filter any, probes ...string) *exec.Cmd {
	t.Helper()
	b, err := json.Marshal(filter)
	if err != nil {
		t.Fatal(err)
	}
	env := profileEnv
	if _, ok := filter.(*Program); ok {
		env = programEnv
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env+"="+string(b), probeEnv+"="+strings.Join(probes, ";"))
	return cmd
}

func uptr(v uint) *uint { return &v }

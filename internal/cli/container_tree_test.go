package cli

import "testing"

// TestContainerCommandTree checks Docker's command names: every `docker
// container` subcommand, the top-level shortcuts, and the volume and
// system subcommands.
func TestContainerCommandTree(t *testing.T) {
	root := NewRootCommand(nil)
	for _, path := range [][]string{
		{"container", "attach"}, {"container", "commit"}, {"container", "cp"}, {"container", "create"}, {"container", "diff"},
		{"container", "exec"}, {"container", "export"}, {"container", "inspect"}, {"container", "kill"}, {"container", "logs"},
		{"container", "ls"}, {"container", "list"}, {"container", "ps"}, {"container", "pause"}, {"container", "port"},
		{"container", "prune"}, {"container", "rename"}, {"container", "restart"}, {"container", "rm"}, {"container", "remove"},
		{"container", "run"}, {"container", "start"}, {"container", "stats"}, {"container", "stop"}, {"container", "top"},
		{"container", "unpause"}, {"container", "update"}, {"container", "wait"},
		{"run"}, {"create"}, {"start"}, {"stop"}, {"kill"}, {"restart"}, {"pause"}, {"unpause"}, {"rename"}, {"wait"},
		{"rm"}, {"ps"}, {"logs"}, {"exec"}, {"attach"}, {"top"}, {"stats"}, {"diff"}, {"export"}, {"commit"}, {"cp"},
		{"port"}, {"update"}, {"inspect"}, {"events"},
		{"volume", "create"}, {"volume", "ls"}, {"volume", "inspect"}, {"volume", "rm"}, {"volume", "prune"},
		{"system", "df"}, {"system", "prune"}, {"system", "events"},
	} {
		cmd, rest, err := root.Find(path)
		if err != nil || len(rest) != 0 || cmd == root {
			t.Errorf("berth %v: not a command (%v)", path, err)
			continue
		}
		if cmd.Short == "" || cmd.Long == "" || cmd.Example == "" {
			t.Errorf("berth %v has no help", path)
		}
	}
	if cmd, _, err := root.Find([]string{"remove"}); err == nil && cmd != root {
		t.Errorf("berth remove exists; Docker has only rm at the top level")
	}
	for _, name := range []string{"run", "create"} {
		cmd, _, _ := root.Find([]string{name})
		if f := cmd.Flags().ShorthandLookup("h"); f == nil || f.Name != "hostname" {
			t.Errorf("berth %s -h is not --hostname", name)
		}
	}
}

package nft

import (
	"fmt"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"golang.org/x/sys/unix"
)

// element is one port map entry, keyed by its encoded key.
type element struct {
	key, val []byte
	ip       bool // in ports_ip, else ports_any
}

// pad4 pads a field of a concatenation to the 4-byte register size.
func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func protoNum(p string) byte {
	if p == "udp" {
		return unix.IPPROTO_UDP
	}
	return unix.IPPROTO_TCP
}

func encode(f Forward) element {
	key := append(pad4([]byte{protoNum(f.Proto)}), pad4(binaryutil.BigEndian.PutUint16(f.HostPort))...)
	dst := f.ContainerIP.As4()
	val := append(dst[:], pad4(binaryutil.BigEndian.PutUint16(f.ContainerPort))...)
	if f.HostIP.IsValid() && !f.HostIP.IsUnspecified() {
		ip := f.HostIP.As4()
		return element{key: append(ip[:], key...), val: val, ip: true}
	}
	return element{key: key, val: val}
}

// syncPorts adds the missing elements of both maps and deletes the stale
// ones (fresh: the maps are known to be empty).
func syncPorts(c *nftables.Conn, s skeleton, fwds []Forward, fresh bool) error {
	want := map[bool]map[string]element{false: {}, true: {}}
	for _, f := range fwds {
		e := encode(f)
		want[e.ip][string(e.key)] = e
	}
	for _, ip := range []bool{false, true} {
		set := s.portsAny
		if ip {
			set = s.portsIP
		}
		var have []nftables.SetElement
		if !fresh {
			var err error
			if have, err = c.GetSetElements(set); err != nil {
				return fmt.Errorf("map %s: %w", set.Name, err)
			}
		}
		var del, add []nftables.SetElement
		for _, h := range have {
			w, ok := want[ip][string(h.Key)]
			if ok && string(w.val) == string(h.Val) {
				delete(want[ip], string(h.Key))
				continue
			}
			del = append(del, nftables.SetElement{Key: h.Key})
		}
		for _, w := range want[ip] {
			add = append(add, nftables.SetElement{Key: w.key, Val: w.val})
		}
		if len(del) > 0 {
			if err := c.SetDeleteElements(set, del); err != nil {
				return fmt.Errorf("map %s: %w", set.Name, err)
			}
		}
		if len(add) > 0 {
			if err := c.SetAddElements(set, add); err != nil {
				return fmt.Errorf("map %s: %w", set.Name, err)
			}
		}
	}
	return nil
}

// AddForwards adds published ports to the maps of a table that Apply made,
// without reading or rewriting anything else: the cost of a container start.
func AddForwards(table string, fwds []Forward) error {
	return changeForwards(table, fwds, true)
}

// DeleteForwards removes published ports from the maps. Deleting from a
// map waits for a kernel RCU grace period (~10 ms), so callers do it off
// the critical path. An element or table that is not there is an error
// (errors.Is os.ErrNotExist); the caller then falls back to Apply.
func DeleteForwards(table string, fwds []Forward) error {
	return changeForwards(table, fwds, false)
}

func changeForwards(table string, fwds []Forward, add bool) error {
	if len(fwds) == 0 {
		return nil
	}
	structMu.Lock()
	defer structMu.Unlock()
	c, err := nftables.New()
	if err != nil {
		return fmt.Errorf("nftables: %w", err)
	}
	s := names(&nftables.Table{Family: nftables.TableFamilyIPv4, Name: table})
	byMap := map[*nftables.Set][]nftables.SetElement{}
	for _, f := range fwds {
		e := encode(f)
		set := s.portsAny
		if e.ip {
			set = s.portsIP
		}
		el := nftables.SetElement{Key: e.key}
		if add {
			el.Val = e.val
		}
		byMap[set] = append(byMap[set], el)
	}
	for set, els := range byMap {
		if add {
			err = c.SetAddElements(set, els)
		} else {
			err = c.SetDeleteElements(set, els)
		}
		if err != nil {
			return fmt.Errorf("map %s: %w", set.Name, err)
		}
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("nftables table %s: published ports: %w", table, err)
	}
	return nil
}

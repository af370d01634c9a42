package dns

import (
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// ttl is Docker's TTL for container records.
const ttl = 600

type handler struct {
	cfg Config
}

func (h *handler) ServeDNS(w dns.ResponseWriter, q *dns.Msg) {
	if len(q.Question) != 1 {
		reply(w, new(dns.Msg).SetRcode(q, dns.RcodeFormatError))
		return
	}
	qs := q.Question[0]
	name := strings.TrimSuffix(strings.ToLower(qs.Name), ".")
	if qs.Qclass == dns.ClassINET {
		if ips, ok := h.cfg.Resolve(name); ok {
			m := new(dns.Msg).SetReply(q)
			m.Authoritative = true
			if qs.Qtype == dns.TypeA || qs.Qtype == dns.TypeANY {
				for _, ip := range ips {
					m.Answer = append(m.Answer, &dns.A{
						Hdr: dns.RR_Header{Name: qs.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: ttl},
						A:   ip.AsSlice(),
					})
				}
			}
			// Other types of a known name: NOERROR with no answer, as Docker.
			reply(w, m)
			return
		}
	}
	reply(w, h.forward(w, q))
}

// forward asks each upstream in turn over the transport the query came on.
func (h *handler) forward(w dns.ResponseWriter, q *dns.Msg) *dns.Msg {
	proto := "udp"
	if _, ok := w.LocalAddr().(*net.TCPAddr); ok {
		proto = "tcp"
	}
	c := &dns.Client{Net: proto, Timeout: 4 * time.Second}
	for _, up := range h.cfg.Upstreams() {
		r, _, err := c.Exchange(q, up.String())
		if err != nil {
			h.cfg.Logger.Debug("embedded DNS: upstream failed", "upstream", up, "err", err)
			continue
		}
		r.Id = q.Id
		return r
	}
	return new(dns.Msg).SetRcode(q, dns.RcodeServerFailure)
}

func reply(w dns.ResponseWriter, m *dns.Msg) {
	_ = w.WriteMsg(m)
}

package image

import (
	"bytes"
	"context"
	"slices"
	"time"
)

// commit stores the in-memory blobs of verified candidates, makes the
// store durable, then records the images and their tags in one
// transaction. Until the transaction commits, nothing is visible.
func (s *Service) commit(ctx context.Context, cands []candidate, l *lease) error {
	for _, c := range cands {
		for d, data := range c.small {
			l.hold(d)
			_, created, err := s.cs.Put(ctx, bytes.NewReader(data), d, int64(len(data)))
			if err != nil {
				return err
			}
			if created {
				l.addCreated(d)
			}
		}
	}
	if err := s.cs.Sync(ctx); err != nil {
		return err
	}
	now := time.Now().UTC()
	return s.updateRecords(ctx, func(rs *recordSet) error {
		for _, c := range cands {
			r, ok := rs.recs[c.rec.ID]
			if !ok {
				r = rs.put(c.rec)
			} else {
				rs.changed[r.ID] = true
			}
			for _, t := range c.tags {
				rs.tag(r.ID, t, now)
				if c.digestRefs {
					d := r.Manifest.Digest
					if r.Index != nil {
						d = r.Index.Digest
					}
					if rd := repoDigest(t, d); rd != "" && !slices.Contains(r.RepoDigests, rd) {
						r.RepoDigests = append(r.RepoDigests, rd)
					}
				}
			}
		}
		return nil
	})
}

package api

import (
	"context"

	buildtypes "github.com/moby/moby/api/types/build"
)

// buildCacheUsage is the build cache part of GET /system/df: the
// legacy BuildCache list and the BuildCacheUsage summary. Without a
// builder both are empty. Every entry is reclaimable: no build holds
// one beyond its own run.
func (s *Server) buildCacheUsage(ctx context.Context) ([]buildtypes.CacheRecord, *buildtypes.DiskUsage, error) {
	recs := []buildtypes.CacheRecord{}
	du := &buildtypes.DiskUsage{}
	if s.cfg.Builder == nil {
		return recs, du, nil
	}
	infos, err := s.cfg.Builder.CacheUsage(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, ci := range infos {
		recs = append(recs, buildtypes.CacheRecord{
			ID: ci.Key, Type: "regular", Description: ci.Description,
			Size: ci.Size, CreatedAt: ci.Created, UsageCount: 1,
		})
		du.TotalSize += ci.Size
		du.Reclaimable += ci.Size
	}
	du.TotalCount = int64(len(recs))
	du.Items = recs
	return recs, du, nil
}

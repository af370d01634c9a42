package api

import (
	"context"
	"net/http"

	"github.com/berthproject/berth/internal/container"
	"github.com/berthproject/berth/internal/image"
	containertypes "github.com/moby/moby/api/types/container"
	imagetypes "github.com/moby/moby/api/types/image"
	volumetypes "github.com/moby/moby/api/types/volume"
)

// VolumeSizer reports a volume's data size and users, for system df
// (internal/volume.Service implements it).
type VolumeSizer interface {
	Size(ctx context.Context, name string) (int64, error)
	InUse(name string) []string
}

// diskUsage is GET /system/df's body in both shapes: the per-kind lists
// of API < 1.52 (LayersSize, Images, Containers, Volumes), which docker
// CLI 28 reads, and the *Usage summaries of newer versions.
type diskUsage struct {
	LayersSize     int64
	Images         []imagetypes.Summary
	Containers     []containertypes.Summary
	Volumes        []volumetypes.Volume
	BuildCache     []any
	ImageUsage     *imagetypes.DiskUsage     `json:",omitempty"`
	ContainerUsage *containertypes.DiskUsage `json:",omitempty"`
	VolumeUsage    *volumetypes.DiskUsage    `json:",omitempty"`
}

func (s *Server) systemDF(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	var du diskUsage
	du.BuildCache = []any{}
	ctrs, err := s.cfg.Containers.List(ctx, container.ListOptions{All: true, Size: true})
	if err != nil {
		return err
	}
	du.Containers = ctrs
	cu := &containertypes.DiskUsage{Items: ctrs, TotalCount: int64(len(ctrs))}
	users := map[string]int64{}
	for _, c := range ctrs {
		users[c.ImageID]++
		cu.TotalSize += c.SizeRw
		if c.State == containertypes.StateRunning || c.State == containertypes.StatePaused {
			cu.ActiveCount++
		} else {
			cu.Reclaimable += c.SizeRw
		}
	}
	du.ContainerUsage = cu
	imgs, err := s.cfg.Images.List(ctx, image.ListOptions{})
	if err != nil {
		return err
	}
	iu := &imagetypes.DiskUsage{TotalCount: int64(len(imgs))}
	for i := range imgs {
		imgs[i].Containers = users[imgs[i].ID]
		du.LayersSize += imgs[i].Size
		iu.TotalSize += imgs[i].Size
		if imgs[i].Containers > 0 {
			iu.ActiveCount++
		} else {
			iu.Reclaimable += imgs[i].Size
		}
	}
	du.Images, iu.Items, du.ImageUsage = imgs, imgs, iu
	du.Volumes = []volumetypes.Volume{}
	if s.cfg.Volumes != nil {
		list, err := s.cfg.Volumes.ListVolumes(ctx, nil)
		if err != nil {
			return err
		}
		vu := &volumetypes.DiskUsage{TotalCount: int64(len(list.Volumes))}
		sizer, _ := s.cfg.Volumes.(VolumeSizer)
		for _, v := range list.Volumes {
			v.UsageData = &volumetypes.UsageData{Size: -1, RefCount: -1}
			if sizer != nil {
				size, _ := sizer.Size(ctx, v.Name)
				refs := int64(len(sizer.InUse(v.Name)))
				v.UsageData = &volumetypes.UsageData{Size: size, RefCount: refs}
				vu.TotalSize += size
				if refs > 0 {
					vu.ActiveCount++
				} else {
					vu.Reclaimable += size
				}
			}
			du.Volumes = append(du.Volumes, v)
		}
		vu.Items = du.Volumes
		du.VolumeUsage = vu
	}
	writeJSON(w, http.StatusOK, du)
	return nil
}

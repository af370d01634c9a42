package api

import (
	"context"
	"io"
	"net"
	"time"

	"github.com/berthproject/berth/internal/container"
	"github.com/berthproject/berth/internal/logfile"
	containertypes "github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
)

// ContainerService is what the container routes need
// (internal/container.Service implements it). Containers are named by
// name, full ID or unique ID prefix. Errors carry errdefs classes: an
// unknown container is NotFound, a bad option InvalidArgument, an
// operation the container's state forbids (remove while running, name in
// use) Conflict.
type ContainerService interface {
	Create(ctx context.Context, req container.CreateRequest) (containertypes.CreateResponse, error)
	Start(ctx context.Context, ref string) error
	Stop(ctx context.Context, ref string, o container.StopOptions) error
	Restart(ctx context.Context, ref string, o container.StopOptions) error
	Kill(ctx context.Context, ref, signal string) error
	Pause(ctx context.Context, ref string) error
	Unpause(ctx context.Context, ref string) error
	Rename(ctx context.Context, ref, name string) error
	Wait(ctx context.Context, ref string, condition containertypes.WaitCondition) (containertypes.WaitResponse, error)
	Remove(ctx context.Context, ref string, o container.RemoveOptions) error
	Prune(ctx context.Context, match func(container.Container) bool) (containertypes.PruneReport, error)
	List(ctx context.Context, o container.ListOptions) ([]containertypes.Summary, error)
	Inspect(ctx context.Context, ref string, size bool) (containertypes.InspectResponse, error)
	Logs(ctx context.Context, ref string, o container.LogsOptions) (<-chan logfile.Message, bool, error)
	// Attach waits for the next start of a container that is not running.
	PrepareAttach(ref string, o container.AttachOptions) (*container.Attachment, error)
	Resize(ctx context.Context, ref string, width, height uint16) error
	ExecCreate(ctx context.Context, ref string, req containertypes.ExecCreateRequest) (string, error)
	ExecStart(ctx context.Context, execID string, detach bool) (net.Conn, error)
	ExecWait(ctx context.Context, execID string) (int, error)
	ExecInspect(ctx context.Context, execID string) (containertypes.ExecInspectResponse, error)
	ExecResize(ctx context.Context, execID string, width, height uint16) error
	Get(ctx context.Context, ref string) (container.Container, error)
	Top(ctx context.Context, ref, psArgs string) (containertypes.TopResponse, error)
	Stats(ctx context.Context, ref string) (containertypes.StatsResponse, error)
	Changes(ctx context.Context, ref string) ([]containertypes.FilesystemChange, error)
	Export(ctx context.Context, ref string, w io.Writer) error
	ArchiveStat(ctx context.Context, ref, path string) (containertypes.PathStat, error)
	// ArchiveGet calls stat with the path's stat before writing the tar.
	ArchiveGet(ctx context.Context, ref, path string, w io.Writer, stat func(containertypes.PathStat)) error
	ArchivePut(ctx context.Context, ref, path string, r io.Reader) error
	Commit(ctx context.Context, ref string, o container.CommitOptions) (string, error)
	Update(ctx context.Context, ref string, u containertypes.UpdateConfig) (containertypes.UpdateResponse, error)
	Events(ctx context.Context, since, until time.Time, filters map[string][]string, fn func(events.Message) error) error
}

// registerContainerRoutes adds the container and exec routes. A nil
// service registers none.
func (s *Server) registerContainerRoutes() {
	if s.cfg.Containers == nil {
		return
	}
	s.exact["POST /containers/create"] = s.createContainer
	s.exact["GET /containers/json"] = s.listContainers
	s.exact["POST /containers/prune"] = s.pruneContainers
	s.exact["POST /commit"] = s.commitContainer
	s.exact["GET /events"] = s.events
	s.exact["GET /system/df"] = s.systemDF
	s.named("/containers/",
		namedRoute{"GET", "/json", s.inspectContainer},
		namedRoute{"POST", "/start", s.startContainer},
		namedRoute{"POST", "/stop", s.stopContainer},
		namedRoute{"POST", "/restart", s.restartContainer},
		namedRoute{"POST", "/kill", s.killContainer},
		namedRoute{"POST", "/pause", s.pauseContainer},
		namedRoute{"POST", "/unpause", s.unpauseContainer},
		namedRoute{"POST", "/rename", s.renameContainer},
		namedRoute{"POST", "/update", s.updateContainer},
		namedRoute{"POST", "/wait", s.waitContainer},
		namedRoute{"POST", "/attach", s.attachContainer},
		namedRoute{"POST", "/resize", s.resizeContainer},
		namedRoute{"POST", "/exec", s.createExec},
		namedRoute{"GET", "/logs", s.containerLogs},
		namedRoute{"GET", "/top", s.topContainer},
		namedRoute{"GET", "/stats", s.containerStats},
		namedRoute{"GET", "/changes", s.containerChanges},
		namedRoute{"GET", "/export", s.exportContainer},
		namedRoute{"HEAD", "/archive", s.statArchive},
		namedRoute{"GET", "/archive", s.getArchive},
		namedRoute{"PUT", "/archive", s.putArchive},
		namedRoute{"DELETE", "", s.removeContainer},
	)
	s.named("/exec/",
		namedRoute{"POST", "/start", s.startExec},
		namedRoute{"POST", "/resize", s.resizeExec},
		namedRoute{"GET", "/json", s.inspectExec},
	)
}

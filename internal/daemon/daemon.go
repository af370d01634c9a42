package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/berthproject/berth/internal/api"
)

// shutdownGrace bounds how long in-flight requests may run after a signal.
const shutdownGrace = 30 * time.Second

// Run starts the daemon with cfg and serves until ctx is cancelled (the
// caller cancels it on SIGTERM/SIGINT); then it stops accepting, lets
// in-flight requests finish and closes the stores.
func Run(ctx context.Context, cfg Config, logger *slog.Logger) (err error) {
	cfg = cfg.fill()
	if err := os.MkdirAll(cfg.Root, 0o711); err != nil {
		return fmt.Errorf("create root %s: %w", cfg.Root, err)
	}
	if err := os.MkdirAll(cfg.ExecRoot, 0o711); err != nil {
		return fmt.Errorf("create exec-root %s: %w", cfg.ExecRoot, err)
	}
	lock, err := lockRoot(cfg.Root)
	if err != nil {
		return err
	}
	defer lock.release()

	svc, err := openServices(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := svc.close(); cerr != nil {
			logger.Error("close stores", "err", cerr)
			err = errors.Join(err, cerr)
		}
	}()

	level, _ := ParseLogLevel(cfg.LogLevel)
	host, err := detectHost(cfg.Root, level <= slog.LevelDebug)
	if err != nil {
		return err
	}
	handler := api.NewServer(api.Config{
		Images:     svc.images,
		Registry:   svc.registry,
		Containers: svc.containers,
		Volumes:    svc.volumes,
		Networks:   svc.networks,
		Builder:    svc.builder,
		Host:       host,
		Version:    cfg.Version,
		Logger:     logger,
	})

	var listeners []*listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for _, h := range cfg.Hosts {
		l, err := listen(ctx, h, cfg.Group)
		if err != nil {
			return err
		}
		listeners = append(listeners, l)
	}

	// inflight counts running handlers, so the stores are closed only once
	// the last one has returned, even when the grace period ran out.
	var inflight sync.WaitGroup
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inflight.Add(1)
		defer inflight.Done()
		handler.ServeHTTP(w, r)
	})
	idle := newMemoryReleaser(releaseAfterQuiet, debug.FreeOSMemory)
	defer idle.stop()
	srv := &http.Server{
		Handler:           idle.wrap(counted),
		ReadHeaderTimeout: 30 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, len(listeners))
	var wg sync.WaitGroup
	for _, l := range listeners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				serveErr <- fmt.Errorf("serve %s: %w", l.addr, err)
			}
		}()
		logger.Info("API listening", "addr", l.addr)
	}
	logger.Info("daemon started", "version", cfg.Version, "root", cfg.Root, "exec-root", cfg.ExecRoot, "pid", os.Getpid())

	select {
	case <-ctx.Done():
		logger.Info("shutting down: waiting for in-flight requests")
	case err = <-serveErr:
		logger.Error("API server failed", "err", err)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil {
		logger.Warn("shutdown: closing remaining connections", "err", serr)
		srv.Close()
	}
	wg.Wait()
	inflight.Wait()
	logger.Info("daemon stopped")
	return err
}

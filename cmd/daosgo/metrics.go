package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/daosgo/daosgo/daosgo"
)

// writeMetrics renders upgrade progress in Prometheus's text exposition
// format.
func writeMetrics(w io.Writer, pool string, p *daosgo.UpgradeProgress) {
	if p == nil {
		p = &daosgo.UpgradeProgress{}
	}
	for _, m := range []struct {
		name, help string
		value      uint64
	}{
		{"daosgo_pool_layout_version", "Layout version of the pool.", uint64(p.Version)},
		{"daosgo_pool_upgrade_status", "Upgrade status: 0 not started, 1 in progress, 2 completed, 3 failed.", uint64(p.Status)},
		{"daosgo_pool_upgrade_target_version", "Layout version the upgrade goes to.", uint64(p.To)},
		{"daosgo_pool_upgrade_steps_done", "Upgrade steps completed.", uint64(p.StepsDone)},
		{"daosgo_pool_upgrade_steps_total", "Upgrade steps in the plan.", uint64(p.StepsTotal)},
		{"daosgo_pool_upgrade_objects_migrated", "Objects the running data step has migrated.", p.Objects},
		{"daosgo_pool_upgrade_objects_total", "Objects the running data step migrates.", p.ObjectsTotal},
		{"daosgo_pool_upgrade_bytes_migrated", "Bytes the running data step has migrated.", p.Bytes},
		{"daosgo_pool_upgrade_bytes_total", "Bytes the running data step migrates.", p.BytesTotal},
	} {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s{pool=%q} %d\n", m.name, m.help, m.name, m.name, pool, m.value)
	}
}

// serveMetrics serves /metrics on addr until stop is called, and returns
// the address it listens on.
func serveMetrics(addr, pool string, latest *atomic.Pointer[daosgo.UpgradeProgress]) (stop func(), bound string, err error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("--metrics-addr %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		writeMetrics(w, pool, latest.Load())
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Println("metrics server:", err)
		}
	}()
	return func() { srv.Close() }, l.Addr().String(), nil
}

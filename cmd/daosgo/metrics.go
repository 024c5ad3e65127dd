package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
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
		value      float64
	}{
		{"daosgo_pool_layout_version", "Layout version of the pool.", float64(p.Version)},
		{"daosgo_pool_upgrade_status", "Upgrade status: 0 not started, 1 in progress, 2 completed, 3 failed.", float64(p.Status)},
		{"daosgo_pool_upgrade_target_version", "Layout version the upgrade goes to.", float64(p.To)},
		{"daosgo_pool_upgrade_steps_done", "Upgrade steps completed.", float64(p.StepsDone)},
		{"daosgo_pool_upgrade_steps_total", "Upgrade steps in the plan.", float64(p.StepsTotal)},
		{"daosgo_pool_upgrade_objects_migrated", "Objects the running data step has migrated.", float64(p.Objects)},
		{"daosgo_pool_upgrade_objects_total", "Objects the running data step migrates.", float64(p.ObjectsTotal)},
		{"daosgo_pool_upgrade_bytes_migrated", "Bytes the running data step has migrated.", float64(p.Bytes)},
		{"daosgo_pool_upgrade_bytes_total", "Bytes the running data step migrates.", float64(p.BytesTotal)},
		{"daosgo_pool_upgrade_objects_done", "Object migrations done by all the plan's data steps.", float64(p.ObjectsDone)},
		{"daosgo_pool_upgrade_objects_planned", "Object migrations all the plan's data steps make.", float64(p.ObjectsPlanned)},
		{"daosgo_pool_upgrade_objects_per_second", "Objects migrated per second since this process took the upgrade over (0 until known).", p.Rate},
		{"daosgo_pool_upgrade_bytes_per_second", "Bytes migrated per second since this process took the upgrade over (0 until known).", p.BytesRate},
		{"daosgo_pool_upgrade_eta_seconds", "Estimated seconds until the upgrade ends, at the current rate (0 until known).", p.ETASeconds},
		{"daosgo_pool_upgrade_restarts", "Times the upgrade was restarted after its process died.", float64(p.Restarts)},
	} {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s{pool=%q} %s\n", m.name, m.help, m.name, m.name, pool,
			strconv.FormatFloat(m.value, 'g', -1, 64))
	}
}

// listenMetrics opens the metrics address, so that a bad one is refused
// before an upgrade starts.
func listenMetrics(addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr %s: %w", addr, err)
	}
	return l, nil
}

// serveMetricsOn serves /metrics on l until stop is called.
func serveMetricsOn(l net.Listener, pool string, latest *atomic.Pointer[daosgo.UpgradeProgress]) (stop func()) {
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		writeMetrics(w, pool, latest.Load())
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "metrics server:", err)
		}
	}()
	return func() { srv.Close() }
}

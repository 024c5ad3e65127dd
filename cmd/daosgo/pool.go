package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/daosgo/embedded"
)

type poolCmd struct {
	Create  poolCreateCmd  `cmd:"" help:"Create a pool."`
	List    poolListCmd    `cmd:"" aliases:"ls" help:"List pools."`
	Query   poolQueryCmd   `cmd:"" help:"Show a pool's space, rebuild state, layout version and status."`
	GetProp poolGetPropCmd `cmd:"" name:"get-prop" help:"Show pool properties (all, or those named)."`
	SetProp poolSetPropCmd `cmd:"" name:"set-prop" help:"Set pool properties, given as name:value."`
	Destroy poolDestroyCmd `cmd:"" help:"Destroy a pool and everything in it."`
	Evict   poolEvictCmd   `cmd:"" help:"Revoke every open handle on a pool; their next use fails DER_NO_HDL."`
	Upgrade poolUpgradeCmd `cmd:"" help:"Upgrade a pool to the newest layout version this software knows. Returns at once; the pool is closed to users until it ends; follow it with get-prop or query."`

	UpgradeWorker poolUpgradeWorkerCmd `cmd:"" name:"upgrade-worker" hidden:"" help:"Run a started upgrade (what 'pool upgrade' starts in the background)."`
	SetRebuild    poolSetRebuildCmd    `cmd:"" name:"set-rebuild" help:"Embedded engine only: set a pool's rebuild state (idle, busy, done), for demos and tests; DAOS sets it itself when targets fail."`
}

type poolArg struct {
	Pool string `arg:"" help:"Pool label or UUID."`
}

type poolCreateCmd struct {
	Label         string   `arg:"" help:"Label of the new pool: letters, digits and . _ : - (at most 127)."`
	Size          byteSize `help:"Space quota, e.g. 4G, 512MiB: 1 byte to 8 EiB." default:"4G"`
	UUID          uuidFlag `name:"uuid" help:"UUID to give the pool (default: a new one)."`
	Properties    []string `help:"Pool properties as name:value, comma-separated (see 'pool get-prop')." sep:","`
	LayoutVersion layoutNr `name:"layout-version" placeholder:"N" help:"Create the pool at this layout version, as the DAOS release of that version would have: 0 = DAOS 2.0, 1 = 2.2, 2 = 2.4, 3 = 2.6, 4 = 2.8 (default: the newest)."`
}

func (c *poolCreateCmd) Run(ctx context.Context, g *globals) error {
	req := daosgo.PoolCreateReq{Label: c.Label, Size: uint64(c.Size), LayoutVersion: c.LayoutVersion.version(), UUID: daosgo.UUID(c.UUID)}
	for _, s := range c.Properties {
		p, err := parseProp(s, true)
		if err != nil {
			return err
		}
		req.Props.Set(p)
	}
	b, err := g.open()
	if err != nil {
		return err
	}
	e, err := b.Admin().CreatePool(ctx, req)
	if err != nil {
		return err
	}
	return g.print(e, func(w io.Writer) {
		fmt.Fprintf(w, "Pool created with UUID %s, label %s, size %s\n", e.UUID, e.Label, humanSize(req.Size))
	})
}

// Validate checks the command line before a pool is made.
func (c *poolCreateCmd) Validate() error {
	if err := validLabel("pool label", c.Label); err != nil {
		return err
	}
	if c.Size == 0 {
		return fmt.Errorf("--size 0: want 1 byte to 8 EiB")
	}
	return validProps(c.Properties, true)
}

type poolListCmd struct{}

// poolFileLister is what an embedded engine adds to listing pools: the
// pool files it cannot read, and why.
type poolFileLister interface {
	PoolFiles(ctx context.Context) ([]embedded.PoolFile, error)
}

// poolListEntry is one pool as 'pool list --json' prints it.
type poolListEntry struct {
	UUID   daosgo.UUID `json:"uuid"`
	Label  string      `json:"label"`
	Damage string      `json:"damage,omitempty"` // why the pool cannot be read
}

func (c *poolListCmd) Run(ctx context.Context, g *globals) error {
	b, err := g.open()
	if err != nil {
		return err
	}
	pools := []poolListEntry{}
	if fl, ok := b.(poolFileLister); ok {
		files, err := fl.PoolFiles(ctx)
		if err != nil {
			return err
		}
		for _, f := range files {
			pools = append(pools, poolListEntry{f.UUID, f.Label, f.Damage})
		}
	} else {
		entries, err := b.Admin().ListPools(ctx)
		if err != nil {
			return err
		}
		for _, p := range entries {
			pools = append(pools, poolListEntry{UUID: p.UUID, Label: p.Label})
		}
	}
	return g.print(pools, func(w io.Writer) {
		if len(pools) == 0 {
			fmt.Fprintln(w, "No pools in this system")
			return
		}
		fmt.Fprintf(w, "%-36s  %s\n%-36s  %s\n", "UUID", "Label", "----", "-----")
		damaged := 0
		for _, p := range pools {
			if p.Damage != "" {
				damaged++
				fmt.Fprintf(w, "%-36s  (cannot be read: %s)\n", p.UUID, p.Damage)
				continue
			}
			fmt.Fprintf(w, "%-36s  %s\n", p.UUID, p.Label)
		}
		if damaged > 0 {
			fmt.Fprintf(w, "%d pool(s) cannot be read; 'daosgo pool destroy UUID --force' removes one\n", damaged)
		}
	})
}

type poolQueryCmd struct{ poolArg }

// poolQueryResult is what 'pool query --json' prints: the pool's info,
// with its upgrade status as the word get-prop prints for it (see
// MarshalJSON).
type poolQueryResult struct {
	daosgo.PoolInfo
	Upgrade *daosgo.UpgradeProgress `json:"upgrade,omitempty"`
}

// MarshalJSON writes the upgrade status as a word ("Online", "Upgrading",
// "Failed"), one spelling with get-prop, and lists as [] when empty.
func (r poolQueryResult) MarshalJSON() ([]byte, error) {
	if r.TargetUsed == nil {
		r.TargetUsed = []uint64{}
	}
	type plain poolQueryResult // without this method
	return json.Marshal(struct {
		plain
		UpgradeStatus string `json:"upgrade_status"` // shadows PoolInfo's number
	}{plain(r), r.PoolInfo.UpgradeStatus.PoolStatus()})
}

func (c *poolQueryCmd) Run(ctx context.Context, g *globals) error {
	b, err := g.open()
	if err != nil {
		return err
	}
	var res poolQueryResult
	// Connect first: it may restart an interrupted upgrade, which the
	// upgrade status read after it then shows.
	p, err := b.Connect(ctx, c.Pool, daosgo.PoolRO)
	if up, ok := b.Admin().(daosgo.Upgrader); ok {
		if p, err := up.UpgradeProgress(ctx, c.Pool); err == nil && p.StepsTotal > 0 {
			res.Upgrade = &p
		}
	}
	if err != nil {
		if res.Upgrade == nil || res.Upgrade.Status != daosgo.UpgradeInProgress {
			return err
		}
		// The pool is closed while it upgrades: report what the pool
		// service still answers.
		res.Label, res.LayoutVersion, res.Status = c.Pool, res.Upgrade.Version, res.Upgrade.State
		res.UpgradeStatus, res.MaxVersion = res.Upgrade.Status, layouts.MaxVersion()
		return g.print(res, func(w io.Writer) {
			fmt.Fprintf(w, "Pool %s is being upgraded and closed to users until it is done\n", c.Pool)
			printUpgrade(w, res.Upgrade)
		})
	}
	defer p.Disconnect(ctx)
	if res.PoolInfo, err = p.Query(ctx); err != nil {
		return err
	}
	if u := res.Upgrade; u != nil {
		// The upgrade status was read last: the pool's version and status
		// are taken from it, so that the two parts of the answer agree
		// even if an upgrade moved on between the reads.
		res.LayoutVersion, res.UpgradeStatus, res.Status = u.Version, u.Status, u.State
	}
	info := res.PoolInfo
	return g.print(res, func(w io.Writer) {
		fmt.Fprintf(w, "Pool %s, label %s\n", info.UUID, info.Label)
		fmt.Fprintf(w, "Pool version %d (newest known %d), status %s\n", info.LayoutVersion, info.MaxVersion, info.Status)
		fmt.Fprintf(w, "Containers: %d, open handles: %s\n", info.Containers, reported(info.Reports("open_handles"), info.Handles))
		fmt.Fprintf(w, "Rebuild %s, %d objs, %d recs\n", info.Rebuild.State, info.Rebuild.Objects, info.Rebuild.Records)
		pct := 0.0
		if info.TotalBytes > 0 {
			pct = 100 * float64(info.UsedBytes) / float64(info.TotalBytes)
		}
		fmt.Fprintf(w, "Pool space info:\n- Target count: %d\n- Total size: %s\n- Used: %s (%.2f%%)\n- Free: %s\n",
			info.Targets, humanSize(info.TotalBytes), humanSize(info.UsedBytes), pct, humanSize(info.FreeBytes))
		if res.Upgrade != nil && res.Upgrade.Status != daosgo.UpgradeCompleted {
			printUpgrade(w, res.Upgrade)
		}
	})
}

func printUpgrade(w io.Writer, p *daosgo.UpgradeProgress) {
	// The step running, counted from 1, while it runs; the steps done
	// otherwise.
	step := p.StepsDone
	if p.Status == daosgo.UpgradeInProgress && step < p.StepsTotal {
		step++
	}
	fmt.Fprintf(w, "Upgrade from version %d to %d: %s, at version %d, step %d of %d", p.From, p.To, p.State, p.Version, step, p.StepsTotal)
	if p.Step != "" {
		fmt.Fprintf(w, " (%s)", p.Step)
	}
	fmt.Fprintln(w)
	if p.ObjectsTotal > 0 {
		fmt.Fprintf(w, "- objects migrated: %d of %d, bytes: %s of %s\n", p.Objects, p.ObjectsTotal, humanSize(p.Bytes), humanSize(p.BytesTotal))
	}
	if p.ObjectsPlanned > 0 && p.Status == daosgo.UpgradeInProgress {
		fmt.Fprintf(w, "- all data steps: %d of %d object migrations", p.ObjectsDone, p.ObjectsPlanned)
		if r := rateETA(*p); r != "" {
			fmt.Fprintf(w, ", %s", r)
		}
		fmt.Fprintln(w)
	}
	if p.Restarts > 0 {
		fmt.Fprintf(w, "- restarted %d time(s) after its process died\n", p.Restarts)
	}
	if p.Error != "" {
		fmt.Fprintf(w, "- failed: %s\n", p.Error)
	}
}

// propsJSON is how properties appear in --json output.
type propJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Value       any    `json:"value"`
}

func propsToJSON(props daosgo.Props) []propJSON {
	out := make([]propJSON, 0, len(props))
	for _, p := range props {
		var v any = p.ValueString()
		if p.Kind() == daosgo.KindNumber && p.ValueString() == fmt.Sprint(p.Num) {
			v = p.Num
		}
		out = append(out, propJSON{p.Name(), p.Description(), v})
	}
	return out
}

// printProps prints "Description: value" lines, as DAOS's design shows
// pool properties ("Pool version: 1", "Pool status: Online").
func printProps(w io.Writer, title string, props daosgo.Props) {
	fmt.Fprintln(w, title)
	for _, p := range props {
		fmt.Fprintf(w, "%s: %s\n", p.Description(), p.ValueString())
	}
}

func lookupProps(names []string, pool bool) ([]daosgo.PropID, error) {
	var ids []daosgo.PropID
	for _, n := range names {
		id, ok := daosgo.LookupProp(n, pool)
		if !ok {
			return nil, daosgo.Errorf(daosgo.ErrInval, "unknown property %q (known: %s)", n, strings.Join(daosgo.PropNames(pool), ", "))
		}
		ids = append(ids, id)
	}
	return ids, nil
}

type poolGetPropCmd struct {
	poolArg
	Names []string `arg:"" optional:"" help:"Property names (default: all)."`
}

// Validate refuses unknown property names before anything is done.
func (c *poolGetPropCmd) Validate() error {
	_, err := lookupProps(c.Names, true)
	return err
}

func (c *poolGetPropCmd) Run(ctx context.Context, g *globals) error {
	ids, err := lookupProps(c.Names, true)
	if err != nil {
		return err
	}
	b, err := g.open()
	if err != nil {
		return err
	}
	// Through Admin, as dmg does: it works while the pool refuses
	// connections, e.g. during an upgrade.
	props, err := b.Admin().GetPoolProps(ctx, c.Pool, ids...)
	if err != nil {
		return err
	}
	// While the pool upgrades, its progress follows the properties: the
	// admin polling get-prop sees it move, and how long is left.
	var prog *daosgo.UpgradeProgress
	if up, ok := b.Admin().(daosgo.Upgrader); ok && !g.JSON {
		if p, err := up.UpgradeProgress(ctx, c.Pool); err == nil && p.Status == daosgo.UpgradeInProgress && p.StepsTotal > 0 {
			prog = &p
		}
	}
	return g.print(propsToJSON(props), func(w io.Writer) {
		printProps(w, fmt.Sprintf("Pool %s properties:", c.Pool), props)
		if prog != nil {
			printUpgrade(w, prog)
		}
	})
}

type poolSetPropCmd struct {
	poolArg
	Props []string `arg:"" help:"Properties as name:value."`
}

// Validate refuses unknown properties and values out of range before
// anything is done.
func (c *poolSetPropCmd) Validate() error { return validProps(c.Props, true) }

func (c *poolSetPropCmd) Run(ctx context.Context, g *globals) error {
	var props daosgo.Props
	for _, s := range c.Props {
		p, err := parseProp(s, true)
		if err != nil {
			return err
		}
		props.Set(p)
	}
	b, err := g.open()
	if err != nil {
		return err
	}
	if err := b.Admin().SetPoolProps(ctx, c.Pool, props); err != nil {
		return err
	}
	return g.print(propsToJSON(props), func(w io.Writer) {
		fmt.Fprintf(w, "pool set-prop succeeded\n")
	})
}

type poolDestroyCmd struct {
	poolArg
	Force bool `help:"Destroy even if handles are open: they are evicted first." short:"f"`
}

func (c *poolDestroyCmd) Run(ctx context.Context, g *globals) error {
	b, err := g.open()
	if err != nil {
		return err
	}
	if err := b.Admin().DestroyPool(ctx, c.Pool, c.Force); err != nil {
		return err
	}
	return g.print(map[string]string{"destroyed": c.Pool}, func(w io.Writer) {
		fmt.Fprintf(w, "Pool-destroy command succeeded\n")
	})
}

type poolEvictCmd struct{ poolArg }

func (c *poolEvictCmd) Run(ctx context.Context, g *globals) error {
	b, err := g.open()
	if err != nil {
		return err
	}
	n, err := b.Admin().EvictPool(ctx, c.Pool)
	if err != nil {
		return err
	}
	res := map[string]any{"pool": c.Pool, "evicted_handles": n}
	if n < 0 {
		// The backend cannot tell (dmg does not say): no figure.
		res = map[string]any{"pool": c.Pool, "unreported": []string{"evicted_handles"}}
	}
	return g.print(res, func(w io.Writer) {
		if n < 0 {
			fmt.Fprintln(w, "Pool-evict command succeeded")
			return
		}
		fmt.Fprintf(w, "Pool-evict command succeeded: %d handle(s) revoked\n", n)
	})
}

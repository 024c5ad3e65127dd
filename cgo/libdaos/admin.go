package libdaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/daosgo/daosgo/daosgo"
)

// Admin does pool administration through DAOS's dmg tool and its JSON
// output (dmg -j), as DAOS's own tools do. dmg's errors are surfaced
// verbatim, with the command that failed.
type Admin struct {
	dmg  string
	args []string
	// poll is how often RunUpgrade reads the pool's upgrade status.
	poll time.Duration
}

var _ daosgo.Admin = (*Admin)(nil)
var _ daosgo.Upgrader = (*Admin)(nil)

func newAdmin(opts Options) *Admin {
	dmg := opts.Dmg
	if dmg == "" {
		dmg = "dmg"
	}
	return &Admin{dmg: dmg, args: opts.DmgArgs, poll: time.Second}
}

// dmgReply is the envelope of dmg's JSON output.
type dmgReply struct {
	Response json.RawMessage `json:"response"`
	Error    *string         `json:"error"`
	Status   int             `json:"status"`
}

// run runs dmg -j with args and returns its response.
func (a *Admin) run(ctx context.Context, args ...string) (json.RawMessage, error) {
	full := append(append(append([]string{}, a.args...), "-j"), args...)
	cmd := exec.CommandContext(ctx, a.dmg, full...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	var reply dmgReply
	if err := json.Unmarshal(out, &reply); err != nil {
		if runErr != nil {
			return nil, fmt.Errorf("dmg %s: %w: %s", strings.Join(args, " "), runErr, strings.TrimSpace(stderr.String()))
		}
		return nil, fmt.Errorf("dmg %s: unreadable JSON output: %w", strings.Join(args, " "), err)
	}
	if reply.Error != nil || reply.Status != 0 {
		msg := ""
		if reply.Error != nil {
			msg = *reply.Error
		}
		cause := error(fmt.Errorf("status %d", reply.Status))
		if reply.Status < 0 {
			cause = daosgo.ErrnoFromCode(reply.Status)
		}
		return nil, fmt.Errorf("dmg %s: %s: %w", strings.Join(args, " "), msg, cause)
	}
	return reply.Response, nil
}

// CreatePool runs dmg pool create.
func (a *Admin) CreatePool(ctx context.Context, req daosgo.PoolCreateReq) (daosgo.PoolEntry, error) {
	if err := daosgo.ValidLabel(req.Label); err != nil {
		return daosgo.PoolEntry{}, err
	}
	if req.LayoutVersion != nil {
		return daosgo.PoolEntry{}, daosgo.Errorf(daosgo.ErrNotSupported, "DAOS creates pools at its own layout version only")
	}
	args := []string{"pool", "create", req.Label, "--size=" + strconv.FormatUint(req.Size, 10)}
	if len(req.Props) > 0 {
		args = append(args, "--properties="+propArgs(req.Props))
	}
	resp, err := a.run(ctx, args...)
	if err != nil {
		return daosgo.PoolEntry{}, err
	}
	var r struct {
		UUID string `json:"uuid"`
	}
	if err := json.Unmarshal(resp, &r); err != nil {
		return daosgo.PoolEntry{}, fmt.Errorf("dmg pool create: response: %w", err)
	}
	id, err := daosgo.ParseUUID(r.UUID)
	return daosgo.PoolEntry{UUID: id, Label: req.Label}, err
}

func propArgs(props daosgo.Props) string {
	var parts []string
	for _, p := range props {
		parts = append(parts, p.Name()+":"+p.ValueString())
	}
	return strings.Join(parts, ",")
}

// ListPools runs dmg pool list.
func (a *Admin) ListPools(ctx context.Context) ([]daosgo.PoolEntry, error) {
	resp, err := a.run(ctx, "pool", "list")
	if err != nil {
		return nil, err
	}
	var r struct {
		Pools []struct {
			UUID  string `json:"uuid"`
			Label string `json:"label"`
		} `json:"pools"`
	}
	if err := json.Unmarshal(resp, &r); err != nil {
		return nil, fmt.Errorf("dmg pool list: response: %w", err)
	}
	var out []daosgo.PoolEntry
	for _, p := range r.Pools {
		id, err := daosgo.ParseUUID(p.UUID)
		if err != nil {
			return nil, fmt.Errorf("dmg pool list: pool %q: %w", p.Label, err)
		}
		out = append(out, daosgo.PoolEntry{UUID: id, Label: p.Label})
	}
	return out, nil
}

// DestroyPool runs dmg pool destroy.
func (a *Admin) DestroyPool(ctx context.Context, pool string, force bool) error {
	args := []string{"pool", "destroy", pool}
	if force {
		args = append(args, "--force")
	}
	_, err := a.run(ctx, args...)
	return err
}

// GetPoolProps runs dmg pool get-prop.
func (a *Admin) GetPoolProps(ctx context.Context, pool string, ids ...daosgo.PropID) (daosgo.Props, error) {
	args := []string{"pool", "get-prop", pool}
	for _, id := range ids {
		args = append(args, id.Info().Name)
	}
	resp, err := a.run(ctx, args...)
	if err != nil {
		return nil, err
	}
	return parseDmgProps(resp)
}

// upgradeStatusNames are how dmg prints upgrade_status.
var upgradeStatusNames = map[string]daosgo.UpgradeStatus{
	"not started": daosgo.UpgradeNotStarted, "in progress": daosgo.UpgradeInProgress,
	"completed": daosgo.UpgradeCompleted, "failed": daosgo.UpgradeFailed,
}

// parseDmgProps reads dmg's property list. Values dmg prints as words are
// kept as such for string properties; numeric ones dmg names (such as
// upgrade_status) are mapped back to DAOS's numbers where known.
func parseDmgProps(resp json.RawMessage) (daosgo.Props, error) {
	var entries []struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
	}
	if err := json.Unmarshal(resp, &entries); err != nil {
		return nil, fmt.Errorf("dmg pool get-prop: response: %w", err)
	}
	var out daosgo.Props
	for _, e := range entries {
		id, ok := daosgo.LookupProp(e.Name, true)
		if !ok {
			continue
		}
		p := daosgo.Prop{ID: id}
		switch v := e.Value.(type) {
		case float64:
			p.Num = uint64(v)
		case string:
			if id.Info().Kind == daosgo.KindString {
				p.Str = v
			} else if st, ok := upgradeStatusNames[strings.ToLower(v)]; ok && id == daosgo.PropPoolUpgradeStatus {
				p.Num = uint64(st)
			} else if n, err := strconv.ParseUint(v, 0, 64); err == nil {
				p.Num = n
			} else {
				p.Str = v
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// SetPoolProps runs dmg pool set-prop.
func (a *Admin) SetPoolProps(ctx context.Context, pool string, props daosgo.Props) error {
	_, err := a.run(ctx, "pool", "set-prop", pool, propArgs(props))
	return err
}

// EvictPool runs dmg pool evict. dmg does not say how many handles it
// revoked: the count returned is 0.
func (a *Admin) EvictPool(ctx context.Context, pool string) (int, error) {
	_, err := a.run(ctx, "pool", "evict", pool)
	return 0, err
}

// StartUpgrade runs dmg pool upgrade. On DAOS the pool service runs DAOS's
// own upgrade steps; the plan only says which versions daosgo expects.
func (a *Admin) StartUpgrade(ctx context.Context, pool string, plan daosgo.UpgradePlan) error {
	_, err := a.run(ctx, "pool", "upgrade", pool)
	return err
}

// UpgradeProgress reads the pool's global version and upgrade status.
func (a *Admin) UpgradeProgress(ctx context.Context, pool string) (daosgo.UpgradeProgress, error) {
	props, err := a.GetPoolProps(ctx, pool, daosgo.PropPoolGlobalVersion, daosgo.PropPoolUpgradeStatus)
	if err != nil {
		return daosgo.UpgradeProgress{}, err
	}
	p := daosgo.UpgradeProgress{
		Version: uint32(props.Num(daosgo.PropPoolGlobalVersion, 0)),
		Status:  daosgo.UpgradeStatus(props.Num(daosgo.PropPoolUpgradeStatus, 0)),
	}
	p.State = p.Status.PoolStatus()
	return p, nil
}

// RunUpgrade follows DAOS's upgrade of the pool until it ends, reporting
// its status as it goes.
func (a *Admin) RunUpgrade(ctx context.Context, pool string, progress func(daosgo.UpgradeProgress)) error {
	for {
		p, err := a.UpgradeProgress(ctx, pool)
		if err != nil {
			return err
		}
		if progress != nil {
			progress(p)
		}
		switch p.Status {
		case daosgo.UpgradeFailed:
			return daosgo.Errorf(daosgo.ErrIO, "pool %s: DAOS reports its upgrade failed (see dmg pool query and the engine logs)", pool)
		case daosgo.UpgradeInProgress:
		default:
			return nil
		}
		select {
		case <-ctx.Done():
			return daosgo.CanceledError(ctx, "follow upgrade of pool "+pool)
		case <-time.After(a.poll):
		}
	}
}

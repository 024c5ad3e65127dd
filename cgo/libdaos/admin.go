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

// dmgErrors give a DAOS code to the errors dmg 2.8 reports as DER_MISC
// (status -1025) with only a message, matched by what the message says
// (dmg's wording, as recorded in testdata/dmg-2.8). The message itself is
// always kept verbatim.
var dmgErrors = []struct {
	says string
	code daosgo.Errno
}{
	{"unable to find pool service", daosgo.ErrNonexist},
	{"already exists", daosgo.ErrExist},
	{"cannot destroy a pool with existing containers", daosgo.ErrBusy},
	{"active client connections", daosgo.ErrBusy},
	{"open handles", daosgo.ErrBusy},
	{"invalid label", daosgo.ErrInval},
	{"invalid value", daosgo.ErrInval},
	{"is not a settable property", daosgo.ErrInval},
	{"unexpected arguments", daosgo.ErrInval},
	{"unknown property", daosgo.ErrInval},
}

// dmgCode is the DAOS code of a dmg failure: its status when dmg gives a
// specific one, else what its message says, else DER_MISC.
func dmgCode(status int, msg string) daosgo.Errno {
	if status < 0 && status != -int(daosgo.ErrMisc) {
		return daosgo.Errno(-status)
	}
	for _, e := range dmgErrors {
		if strings.Contains(msg, e.says) {
			return e.code
		}
	}
	return daosgo.ErrMisc
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
		msg := fmt.Sprintf("status %d", reply.Status)
		if reply.Error != nil {
			msg = *reply.Error
		}
		return nil, &dmgError{cmd: strings.Join(args, " "), msg: msg, code: dmgCode(reply.Status, msg)}
	}
	return reply.Response, nil
}

// dmgError is a dmg failure: its message verbatim, and the DAOS code it
// carries (named only when the message does not already name it).
type dmgError struct {
	cmd, msg string
	code     daosgo.Errno
}

func (e *dmgError) Error() string {
	s := "dmg " + e.cmd + ": " + e.msg
	if !strings.Contains(e.msg, e.code.Name()) {
		s += ": " + e.code.Error()
	}
	return s
}

func (e *dmgError) Unwrap() error { return e.code }

// CreatePool runs dmg pool create.
func (a *Admin) CreatePool(ctx context.Context, req daosgo.PoolCreateReq) (daosgo.PoolEntry, error) {
	if err := daosgo.ValidLabel(req.Label); err != nil {
		return daosgo.PoolEntry{}, err
	}
	if req.LayoutVersion != nil {
		return daosgo.PoolEntry{}, daosgo.Errorf(daosgo.ErrNotSupported, "DAOS creates pools at its own layout version only")
	}
	if req.Size == 0 {
		return daosgo.PoolEntry{}, daosgo.Errorf(daosgo.ErrInval, "pool %q: size must be greater than 0", req.Label)
	}
	if err := checkSettable(req.Props); err != nil {
		return daosgo.PoolEntry{}, err
	}
	if req.UUID != (daosgo.UUID{}) {
		return daosgo.PoolEntry{}, daosgo.Errorf(daosgo.ErrNotSupported, "pool %q: dmg 2.8 cannot create a pool with a chosen UUID", req.Label)
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

// checkSettable refuses, before dmg is asked, what daosgo does not let a
// user set: container properties, and those the system sets (dmg 2.8
// would take global_version and upgrade_status).
func checkSettable(props daosgo.Props) error {
	for _, p := range props {
		if !p.ID.IsPool() || !p.ID.Known() {
			return daosgo.Errorf(daosgo.ErrInval, "%s is not a pool property", p.Name())
		}
		if p.ID.Info().ReadOnly {
			return daosgo.Errorf(daosgo.ErrNoPerm, "pool property %s is set by the system", p.Name())
		}
	}
	return nil
}

// propArgs writes properties as dmg takes them: name:value, comma
// separated, enumerated values as words (dmg 2.8 refuses their numbers).
func propArgs(props daosgo.Props) string {
	var parts []string
	for _, p := range props {
		parts = append(parts, p.Name()+":"+p.DmgValue())
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
	out := []daosgo.PoolEntry{}
	for _, p := range r.Pools {
		id, err := daosgo.ParseUUID(p.UUID)
		if err != nil {
			return nil, fmt.Errorf("dmg pool list: pool %q: %w", p.Label, err)
		}
		out = append(out, daosgo.PoolEntry{UUID: id, Label: p.Label})
	}
	return out, nil
}

// DestroyPool runs dmg pool destroy. Forced, it also destroys the pool's
// containers (--recursive), as the embedded engine's forced destroy does;
// without force, dmg 2.8 refuses a pool that holds containers or has
// clients connected, which daosgo reports as DER_BUSY.
func (a *Admin) DestroyPool(ctx context.Context, pool string, force bool) error {
	args := []string{"pool", "destroy", pool}
	if force {
		args = append(args, "--force", "--recursive")
	}
	_, err := a.run(ctx, args...)
	return err
}

// GetPoolProps runs dmg pool get-prop, naming the properties as one comma
// separated list (dmg 2.8's syntax). dmg lists them in no fixed order:
// they are looked up by name.
func (a *Admin) GetPoolProps(ctx context.Context, pool string, ids ...daosgo.PropID) (daosgo.Props, error) {
	args := []string{"pool", "get-prop", pool}
	if len(ids) > 0 {
		names := make([]string, len(ids))
		for i, id := range ids {
			if !id.IsPool() || !id.Known() {
				return nil, daosgo.Errorf(daosgo.ErrNonexist, "pool property %s", id)
			}
			names[i] = id.Info().Name
		}
		args = append(args, strings.Join(names, ","))
	}
	resp, err := a.run(ctx, args...)
	if err != nil {
		return nil, err
	}
	all, err := parseDmgProps(resp)
	if err != nil || len(ids) == 0 {
		return all, err
	}
	out := make(daosgo.Props, 0, len(ids))
	for _, id := range ids {
		p, ok := all.Get(id)
		if !ok {
			return nil, daosgo.Errorf(daosgo.ErrNonexist, "dmg pool get-prop %s: no %s in its answer", pool, id.Info().Name)
		}
		out = append(out, p)
	}
	return out, nil
}

// parseDmgProps reads dmg's property list: numbers as numbers, strings of
// string properties as they are, and the words of enumerated properties
// as their values. Properties daosgo does not know (svc_list) are left
// out; a word it does not know is an error, not a guess.
func parseDmgProps(resp json.RawMessage) (daosgo.Props, error) {
	var entries []struct {
		Name  string          `json:"name"`
		Value json.RawMessage `json:"value"`
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
		var num uint64
		var str string
		switch {
		case json.Unmarshal(e.Value, &num) == nil:
			p.Num = num
		case json.Unmarshal(e.Value, &str) == nil:
			if id.Info().Kind == daosgo.KindString {
				p.Str = str
				break
			}
			n, ok := id.ParseValueWord(str)
			if !ok {
				n, err := strconv.ParseUint(str, 0, 64)
				if err != nil {
					return nil, daosgo.Errorf(daosgo.ErrProto, "dmg pool get-prop: %s is %q, which daosgo does not know", e.Name, str)
				}
				p.Num = n
				break
			}
			p.Num = n
		default:
			continue // a list (svc_list) or null: not a daosgo property value
		}
		out = append(out, p)
	}
	return out, nil
}

// SetPoolProps runs dmg pool set-prop.
func (a *Admin) SetPoolProps(ctx context.Context, pool string, props daosgo.Props) error {
	if len(props) == 0 {
		return daosgo.Errorf(daosgo.ErrInval, "set properties of pool %s: none given", pool)
	}
	if err := checkSettable(props); err != nil {
		return err
	}
	_, err := a.run(ctx, "pool", "set-prop", pool, propArgs(props))
	return err
}

// EvictPool runs dmg pool evict. dmg does not say how many handles it
// revoked: the count returned is -1, unknown.
func (a *Admin) EvictPool(ctx context.Context, pool string) (int, error) {
	if _, err := a.run(ctx, "pool", "evict", pool); err != nil {
		return 0, err
	}
	return -1, nil
}

// StartUpgrade runs dmg pool upgrade: on DAOS the pool service runs
// DAOS's own upgrade; the plan only says which versions daosgo expects.
// dmg answers success on a pool that is current already.
func (a *Admin) StartUpgrade(ctx context.Context, pool string, plan daosgo.UpgradePlan) error {
	_, err := a.run(ctx, "pool", "upgrade", pool)
	return err
}

// layoutVersions reads a pool's layout version and the one its engines
// upgrade it to (pool_layout_ver, upgrade_layout_ver of dmg pool query).
func (a *Admin) layoutVersions(ctx context.Context, pool string) (have, want uint32, err error) {
	resp, err := a.run(ctx, "pool", "query", pool)
	if err != nil {
		return 0, 0, err
	}
	var r struct {
		Have uint32 `json:"pool_layout_ver"`
		Want uint32 `json:"upgrade_layout_ver"`
	}
	if err := json.Unmarshal(resp, &r); err != nil {
		return 0, 0, fmt.Errorf("dmg pool query: response: %w", err)
	}
	return r.Have, r.Want, nil
}

// UpgradeProgress reads the pool's global version and upgrade status, and
// the versions dmg pool query reports. DAOS reports no steps, objects or
// rate: those stay zero.
func (a *Admin) UpgradeProgress(ctx context.Context, pool string) (daosgo.UpgradeProgress, error) {
	props, err := a.GetPoolProps(ctx, pool, daosgo.PropPoolGlobalVersion, daosgo.PropPoolUpgradeStatus)
	if err != nil {
		return daosgo.UpgradeProgress{}, err
	}
	p := daosgo.UpgradeProgress{
		Version: uint32(props.Num(daosgo.PropPoolGlobalVersion, 0)),
		Status:  daosgo.UpgradeStatus(props.Num(daosgo.PropPoolUpgradeStatus, 0)),
	}
	if p.From, p.To, err = a.layoutVersions(ctx, pool); err != nil {
		return p, err
	}
	p.State = p.Status.PoolStatus()
	return p, nil
}

// RunUpgrade follows DAOS's upgrade of the pool until it ends, reporting
// its status as it goes. A failure is DAOS's: dmg pool query and the
// engine logs say more.
func (a *Admin) RunUpgrade(ctx context.Context, pool string, progress func(daosgo.UpgradeProgress)) error {
	for {
		p, err := a.UpgradeProgress(ctx, pool)
		if err != nil {
			return err
		}
		if progress != nil {
			progress(p)
		}
		switch {
		case p.Status == daosgo.UpgradeFailed:
			return daosgo.Errorf(daosgo.ErrIO, "pool %s: DAOS reports its upgrade to layout version %d failed, at version %d (see dmg pool query and the engine logs)", pool, p.To, p.Version)
		case p.Status == daosgo.UpgradeInProgress, p.Version < p.To && p.Status != daosgo.UpgradeCompleted && p.Status != daosgo.UpgradeNotStarted:
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

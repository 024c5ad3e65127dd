package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/mwc/dfs"
	"github.com/daosgo/daosgo/mwc/pydaos"
)

type containerCmd struct {
	Create   contCreateCmd   `cmd:"" help:"Create a container."`
	List     contListCmd     `cmd:"" aliases:"ls" help:"List the containers of a pool."`
	Query    contQueryCmd    `cmd:"" help:"Show a container's objects, space, snapshots and handles."`
	GetProp  contGetPropCmd  `cmd:"" name:"get-prop" help:"Show container properties (all, or those named)."`
	Destroy  contDestroyCmd  `cmd:"" help:"Destroy a container and its objects."`
	Populate contPopulateCmd `cmd:"" help:"Fill a POSIX or PYTHON container with reproducible content, as mdtest or IOR would."`
	Checker  contCheckerCmd  `cmd:"" help:"Check a POSIX or PYTHON container's namespace: report (default), punch or relink the objects it no longer reaches."`
	Inject   contInjectCmd   `cmd:"" help:"Break a POSIX or PYTHON container the way a catastrophic recovery can, for testing the checker."`
}

type contArgs struct {
	Pool string `arg:"" help:"Pool label or UUID."`
	Cont string `arg:"" help:"Container label or UUID."`
}

// withPool connects to a pool for the duration of fn.
func withPool(ctx context.Context, g *globals, pool string, flags daosgo.PoolFlags, fn func(daosgo.Pool) error) error {
	b, err := g.open()
	if err != nil {
		return err
	}
	p, err := b.Connect(ctx, pool, flags)
	if err != nil {
		return err
	}
	defer p.Disconnect(ctx)
	return fn(p)
}

// withCont opens a container for the duration of fn.
func withCont(ctx context.Context, g *globals, a contArgs, pflags daosgo.PoolFlags, cflags daosgo.ContFlags, fn func(daosgo.Pool, daosgo.Container) error) error {
	return withPool(ctx, g, a.Pool, pflags, func(p daosgo.Pool) error {
		c, err := p.OpenContainer(ctx, a.Cont, cflags)
		if err != nil {
			return err
		}
		defer c.Close(ctx)
		return fn(p, c)
	})
}

type contCreateCmd struct {
	Pool       string    `arg:"" help:"Pool label or UUID."`
	Label      *string   `arg:"" optional:"" help:"Label of the new container (optional): letters, digits and . _ : - (at most 127)."`
	Type       string    `help:"POSIX makes a DFS namespace (superblock and root directory), PYTHON a PyDAOS root KV; unset, a container of unknown layout."`
	ChunkSize  *byteSize `name:"chunk-size" help:"POSIX: file chunk size, 4KiB to 1GiB (default: 1MiB, or a multiple of the EC stripe for erasure-coded files, as libdfs chooses)."`
	Properties []string  `help:"Container properties as name:value, comma-separated (e.g. rd_fac:1)." sep:","`
}

func (c *contCreateCmd) props() (daosgo.Props, error) {
	var props daosgo.Props
	for _, s := range c.Properties {
		p, err := parseProp(s, false)
		if err != nil {
			return nil, err
		}
		props.Set(p)
	}
	return props, nil
}

// Validate checks the command line before a container is made.
func (c *contCreateCmd) Validate() error {
	if c.Label != nil {
		if err := validLabel("container label", *c.Label); err != nil {
			return err
		}
	}
	layout := daosgo.LayoutUnknown
	if c.Type != "" {
		var err error
		if layout, err = daosgo.ParseLayout(c.Type); err != nil {
			return fmt.Errorf("--type: %w", err)
		}
	}
	if c.ChunkSize != nil {
		if layout != daosgo.LayoutPOSIX {
			return fmt.Errorf("--chunk-size goes with --type POSIX")
		}
		if err := validChunkSize(*c.ChunkSize); err != nil {
			return err
		}
	}
	if err := validProps(c.Properties, false); err != nil {
		return err
	}
	if c.Type != "" {
		for _, s := range c.Properties {
			if p, err := parseProp(s, false); err == nil && (p.ID == daosgo.PropContLayoutType || p.ID == daosgo.PropContRoots) {
				return fmt.Errorf("--type sets the layout type and the roots; --properties cannot")
			}
		}
	}
	return nil
}

func (c *contCreateCmd) label() string {
	if c.Label == nil {
		return ""
	}
	return *c.Label
}

func (c *contCreateCmd) Run(ctx context.Context, g *globals) error {
	if c.Type != "" {
		return c.createTyped(ctx, g)
	}
	props, err := c.props()
	if err != nil {
		return err
	}
	label := c.label()
	return withPool(ctx, g, c.Pool, daosgo.PoolRW, func(p daosgo.Pool) error {
		id, err := p.CreateContainer(ctx, label, props)
		if err != nil {
			return err
		}
		layout := daosgo.LayoutName(props.Num(daosgo.PropContLayoutType, daosgo.LayoutUnknown))
		return g.print(contCreated{UUID: id, Label: label, LayoutType: layout}, func(w io.Writer) {
			fmt.Fprintf(w, "Successfully created container %s", id)
			if label != "" {
				fmt.Fprintf(w, " labelled %s", label)
			}
			fmt.Fprintln(w)
		})
	})
}

// contCreated is what 'container create --json' prints.
type contCreated struct {
	UUID       daosgo.UUID `json:"uuid"`
	Label      string      `json:"label"`
	LayoutType string      `json:"layout_type"`
}

// createTyped creates a container with its middleware's data model.
func (c *contCreateCmd) createTyped(ctx context.Context, g *globals) error {
	props, err := c.props()
	if err != nil {
		return err
	}
	layout, err := daosgo.ParseLayout(c.Type)
	if err != nil {
		return err
	}
	var chunk uint64
	if c.ChunkSize != nil {
		chunk = uint64(*c.ChunkSize)
	}
	label := c.label()
	return withPool(ctx, g, c.Pool, daosgo.PoolRW, func(p daosgo.Pool) error {
		var id daosgo.UUID
		switch layout {
		case daosgo.LayoutPOSIX:
			// Its root is owned by the caller, as dfs_cont_create does.
			id, err = dfs.CreateContainer(ctx, p, label, dfs.Attr{ChunkSize: chunk, Props: props})
		case daosgo.LayoutPython:
			id, err = pydaos.CreateContainer(ctx, p, label, props...)
		default:
			return daosgo.Errorf(daosgo.ErrNotSupported, "--type %s: daosgo makes POSIX and PYTHON containers", c.Type)
		}
		if err != nil {
			return err
		}
		return g.print(contCreated{UUID: id, Label: label, LayoutType: daosgo.LayoutName(layout)}, func(w io.Writer) {
			fmt.Fprintf(w, "Successfully created container %s", id)
			if label != "" {
				fmt.Fprintf(w, " labelled %s", label)
			}
			fmt.Fprintf(w, " of type %s\n", daosgo.LayoutName(layout))
		})
	})
}

type contListCmd struct {
	Pool string `arg:"" help:"Pool label or UUID."`
}

func (c *contListCmd) Run(ctx context.Context, g *globals) error {
	return withPool(ctx, g, c.Pool, daosgo.PoolRO, func(p daosgo.Pool) error {
		conts, err := p.ListContainers(ctx)
		if err != nil {
			return err
		}
		if conts == nil {
			conts = []daosgo.ContEntry{}
		}
		return g.print(conts, func(w io.Writer) {
			if len(conts) == 0 {
				fmt.Fprintf(w, "No containers in pool %s\n", c.Pool)
				return
			}
			fmt.Fprintf(w, "%-36s  %s\n%-36s  %s\n", "UUID", "Label", "----", "-----")
			for _, e := range conts {
				fmt.Fprintf(w, "%-36s  %s\n", e.UUID, e.Label)
			}
		})
	})
}

type contQueryCmd struct{ contArgs }

func (c *contQueryCmd) Run(ctx context.Context, g *globals) error {
	return withCont(ctx, g, c.contArgs, daosgo.PoolRO, daosgo.ContRO, func(_ daosgo.Pool, h daosgo.Container) error {
		info, err := h.Query(ctx)
		if err != nil {
			return err
		}
		return g.print(info, func(w io.Writer) {
			fmt.Fprintf(w, "Container UUID : %s\n", info.UUID)
			if info.Label != "" {
				fmt.Fprintf(w, "Container Label: %s\n", info.Label)
			}
			fmt.Fprintf(w, "Container Type : %s\n", info.LayoutType)
			fmt.Fprintf(w, "Objects        : %s\n", reported(info.Reports("objects"), info.Objects))
			fmt.Fprintf(w, "Space used     : %s\n", reported(info.Reports("used_bytes"), humanSize(info.UsedBytes)))
			fmt.Fprintf(w, "Snapshots      : %d\n", info.Snapshots)
			fmt.Fprintf(w, "Open handles   : %d\n", info.Handles)
			fmt.Fprintf(w, "Created        : %s\n", reported(info.Reports("created"), info.Created.Format(time.RFC3339)))
		})
	})
}

type contGetPropCmd struct {
	contArgs
	Names []string `arg:"" optional:"" help:"Property names (default: all)."`
}

// Validate refuses unknown property names before anything is done.
func (c *contGetPropCmd) Validate() error {
	_, err := lookupProps(c.Names, false)
	return err
}

func (c *contGetPropCmd) Run(ctx context.Context, g *globals) error {
	ids, err := lookupProps(c.Names, false)
	if err != nil {
		return err
	}
	return withCont(ctx, g, c.contArgs, daosgo.PoolRO, daosgo.ContRO, func(_ daosgo.Pool, h daosgo.Container) error {
		props, err := h.GetProps(ctx, ids...)
		if err != nil {
			return err
		}
		return g.print(propsToJSON(props), func(w io.Writer) {
			printProps(w, fmt.Sprintf("Properties for container %s", c.Cont), props)
		})
	})
}

type contDestroyCmd struct {
	contArgs
	Force bool `help:"Destroy even if handles are open." short:"f"`
}

func (c *contDestroyCmd) Run(ctx context.Context, g *globals) error {
	return withPool(ctx, g, c.Pool, daosgo.PoolRW, func(p daosgo.Pool) error {
		if err := p.DestroyContainer(ctx, c.Cont, c.Force); err != nil {
			return err
		}
		return g.print(map[string]string{"destroyed": c.Cont}, func(w io.Writer) {
			fmt.Fprintf(w, "Successfully destroyed container %s\n", c.Cont)
		})
	})
}

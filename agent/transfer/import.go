package transfer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

// Import reads data, a file of the given kind, into user's rows. It
// writes nothing when any line is bad (the error is a *RowsError naming
// the lines) or when opt.DryRun is set; rows already present (same
// derived id) are left as they are.
func (im *Importer) Import(ctx context.Context, user string, kind Kind, data []byte, opt Options) (*Summary, error) {
	user, err := schema.ParseUUID(user)
	if err != nil {
		return nil, fmt.Errorf("import: user: %w", err)
	}
	p, err := im.parse(ctx, user, kind, data, opt)
	if err != nil {
		// The file is not what kind says: the caller's mistake.
		return nil, schema.Errorf(schema.EUNPROCESSABLE, "import %s: %v", kind, err)
	}
	im.validate(p, opt)
	if len(p.problems) > 0 {
		return nil, &RowsError{Problems: p.problems}
	}
	sum := &Summary{Kind: kind, DryRun: opt.DryRun, Lines: p.lines, Added: map[string]int{}, Existing: map[string]int{},
		Skipped: p.skipped, Economy: p.economy}
	fresh, err := im.fresh(ctx, user, p.items, sum)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", kind, err)
	}
	if len(p.routes) > 0 {
		if sum.Routes, err = im.estimates(ctx, user, p.routes); err != nil {
			return nil, fmt.Errorf("import %s: estimate: %w", kind, err)
		}
	}
	if opt.DryRun || len(fresh) == 0 {
		return sum, nil
	}
	if err := im.write(ctx, user, fresh, opt); err != nil {
		return nil, fmt.Errorf("import %s: %w", kind, err)
	}
	return sum, nil
}

func (im *Importer) parse(ctx context.Context, user string, kind Kind, data []byte, opt Options) (*plan, error) {
	switch kind {
	case KindFuelly:
		return parseFuelly(user, data, opt)
	case KindLubeLoggerFuel:
		return parseLubeFuel(user, data, opt)
	case KindLubeLoggerService:
		return parseLubeService(user, data, opt, im.Now())
	case KindExpensesCSV:
		return parseExpenses(user, data, opt)
	case KindGPX:
		return parseGPX(user, data, opt)
	case KindPAMExport:
		return im.parseExport(user, data)
	}
	return nil, fmt.Errorf("unknown kind %q (one of %v)", kind, Kinds)
}

// validate checks every row as the store will, so that the write cannot
// fail on a row after others were written.
func (im *Importer) validate(p *plan, opt Options) {
	now := im.Now()
	for i, it := range p.items {
		if opt.Progress != nil && (i%200 == 0 || i == len(p.items)-1) {
			opt.Progress("checking", i+1, len(p.items))
		}
		t, err := im.Catalog.Table(it.table)
		if err != nil {
			p.bad(it.line, "%v", err)
			continue
		}
		row, err := t.Validate(schema.OpCreate, it.row)
		if err == nil {
			t.ApplyDefaults(row, now)
			err = t.CheckCreate(row, now)
		}
		if err != nil {
			p.bad(it.line, "%s", describe(err))
		}
	}
}

// describe is a validation error with its fields.
func describe(err error) string {
	var e *schema.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	msg := e.Message
	for _, f := range e.Fields {
		msg += fmt.Sprintf("; %s %s", f.Field, f.Reason)
	}
	return msg
}

// fresh drops the items whose id is already stored, counting both.
func (im *Importer) fresh(ctx context.Context, user string, items []item, sum *Summary) ([]item, error) {
	have := map[string]map[string]bool{}
	var out []item
	for _, it := range items {
		t, err := im.Catalog.Table(it.table)
		if err != nil {
			return nil, err
		}
		id, _ := it.row["id"].(string)
		var exists bool
		if t.Owner != "" && t.Read != schema.ReadAll {
			ids, ok := have[t.Name]
			if !ok {
				ids = map[string]bool{}
				err := im.Store.Each(ctx, user, t.Name, schema.Query{}, func(r schema.Row) error {
					if s, ok := r["id"].(string); ok {
						ids[s] = true
					}
					return nil
				})
				if err != nil {
					return nil, err
				}
				have[t.Name] = ids
			}
			exists = ids[id]
		} else {
			_, err := im.Store.Get(ctx, user, t.Name, id)
			switch schema.ErrorCode(err) {
			case "":
				exists = true
			case schema.ENOTFOUND:
			default:
				return nil, err
			}
		}
		if exists {
			sum.Existing[t.Name]++
			continue
		}
		sum.Added[t.Name]++
		out = append(out, it)
	}
	return out, nil
}

// write stores the new rows: in one Apply (one transaction over every
// table) when they fit in a batch, else one Load per table, each one
// transaction. Rows the edge's write rules refuse (shared reference
// rows, restored rows with their owner and timestamps) always go through
// Load.
func (im *Importer) write(ctx context.Context, user string, items []item, opt Options) error {
	var ops []localstore.Operation
	var loads []item
	for _, it := range items {
		if it.load {
			loads = append(loads, it)
			continue
		}
		ops = append(ops, localstore.Operation{Op: schema.OpCreate, Table: it.table, Data: it.row})
	}
	total := len(items)
	progress := func(done int) {
		if opt.Progress != nil {
			opt.Progress("writing", done, total)
		}
	}
	done := 0
	if len(ops) > 0 && len(ops) <= localstore.MaxBulkOps {
		if _, err := im.Store.Apply(ctx, user, ops); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		done += len(ops)
		progress(done)
	} else if len(ops) > 0 {
		for _, it := range items {
			if !it.load {
				it.load = true
				loads = append(loads, it) // owner added below
			}
		}
	}
	// One Load per table, in first-seen order.
	var order []string
	byTable := map[string][]schema.Row{}
	record := map[string]bool{}
	for _, it := range loads {
		t, err := im.Catalog.Table(it.table)
		if err != nil {
			return err
		}
		row := it.row
		if t.Owner != "" {
			if _, ok := row[t.Owner]; !ok {
				row = cloneRow(row)
				row[t.Owner] = user
			}
		}
		if _, ok := byTable[t.Name]; !ok {
			order = append(order, t.Name)
		}
		byTable[t.Name] = append(byTable[t.Name], row)
		record[t.Name] = t.Role == schema.RoleUser || t.Role == schema.RoleAppend
	}
	for _, name := range order {
		if err := im.Store.Load(ctx, name, byTable[name], localstore.LoadOptions{Record: record[name]}); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		done += len(byTable[name])
		progress(done)
	}
	return nil
}

func cloneRow(r schema.Row) schema.Row {
	out := make(schema.Row, len(r)+1)
	for k, v := range r {
		out[k] = v
	}
	return out
}

// clean trims a CSV cell.
func clean(s string) string { return strings.TrimSpace(s) }

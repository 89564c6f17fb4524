package localstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// AddFix appends a position to user's track. A second fix at the same
// millisecond replaces the first.
func (s *Store) AddFix(ctx context.Context, user string, f schema.Fix) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if err := s.writable(ctx); err != nil {
		return err
	}
	if _, err := s.write.ExecContext(ctx, `INSERT OR REPLACE INTO _pam_track (user_id, at_ms, lat, lon, speed, heading) VALUES (?, ?, ?, ?, ?, ?)`,
		user, f.At.UnixMilli(), f.Lat, f.Lon, f.Speed, f.Heading); err != nil {
		s.noteCorrupt(err)
		return fmt.Errorf("add track point: %w", err)
	}
	return nil
}

// Track returns user's fixes from since on, oldest first, at most limit.
func (s *Store) Track(ctx context.Context, user string, since time.Time, limit int) ([]schema.Fix, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT at_ms, lat, lon, speed, heading FROM _pam_track
		WHERE user_id = ? AND at_ms >= ? ORDER BY at_ms LIMIT ?`, user, since.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("read track: %w", err)
	}
	defer rows.Close()
	var out []schema.Fix
	for rows.Next() {
		var (
			ms             int64
			f              schema.Fix
			speed, heading sql.NullFloat64
		)
		if err := rows.Scan(&ms, &f.Lat, &f.Lon, &speed, &heading); err != nil {
			return nil, fmt.Errorf("read track: %w", err)
		}
		f.At = time.UnixMilli(ms).UTC()
		if speed.Valid {
			f.Speed = &speed.Float64
		}
		if heading.Valid {
			f.Heading = &heading.Float64
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// LastFix is user's latest track point; ok is false when there is none.
func (s *Store) LastFix(ctx context.Context, user string) (f schema.Fix, ok bool, err error) {
	var ms int64
	err = s.read.QueryRowContext(ctx, `SELECT at_ms, lat, lon FROM _pam_track WHERE user_id = ? ORDER BY at_ms DESC LIMIT 1`, user).
		Scan(&ms, &f.Lat, &f.Lon)
	if err == sql.ErrNoRows {
		return schema.Fix{}, false, nil
	}
	if err != nil {
		return schema.Fix{}, false, fmt.Errorf("read track: %w", err)
	}
	f.At = time.UnixMilli(ms).UTC()
	return f, true, nil
}

// PruneTrack forgets user's fixes older than before and says how many.
func (s *Store) PruneTrack(ctx context.Context, user string, before time.Time) (int64, error) {
	if err := s.writable(ctx); err != nil {
		return 0, err
	}
	res, err := s.write.ExecContext(ctx, `DELETE FROM _pam_track WHERE user_id = ? AND at_ms < ?`, user, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("prune track: %w", err)
	}
	return res.RowsAffected()
}

package transfer

import "testing"

func TestParseDate(t *testing.T) {
	tests := []struct {
		in       string
		dayFirst bool
		want     string // "" for an error
	}{
		{"2024-03-05", false, "2024-03-05"},
		{"2024-03-05 18:02:11", false, "2024-03-05"},
		{"3/5/2024", false, "2024-03-05"},
		{"03/05/2024 5:30:00 PM", false, "2024-03-05"},
		{"3/5/2024", true, "2024-05-03"},
		{"25/03/2024", false, ""},
		{"25/03/2024", true, "2024-03-25"},
		{"25.03.2024", true, "2024-03-25"},
		{"Mar 5, 2024", false, "2024-03-05"},
		{"next tuesday", false, ""},
	}
	for _, tt := range tests {
		got, err := parseDate(tt.in, tt.dayFirst)
		if tt.want == "" {
			if err == nil {
				t.Errorf("parseDate(%q, %v) = %q, want an error", tt.in, tt.dayFirst, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseDate(%q, %v) = %q, %v; want %q", tt.in, tt.dayFirst, got, err, tt.want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"12.5", 12.5, true},
		{"$1,234.50", 1234.5, true},
		{"(12.00)", -12, true},
		{"-4.50", -4.5, true},
		{"12.5 gal", 12.5, true},
		{"", 0, false},
		{"forty", 0, false},
	}
	for _, tt := range tests {
		got, err := parseNumber(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseNumber(%q) = %v, %v; want %v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

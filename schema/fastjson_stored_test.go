package schema

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestEncodeStoredMatchesJSON(t *testing.T) {
	data := map[string]any{"a": "plain", "b": "quo\"te \\ back", "c": "tab\there", "d": "naïve ☃", "e": int64(-42),
		"f": 3.25, "g": nil, "h": "\u2028line", "i": "<html>&"}
	var got, want map[string]any
	if err := json.Unmarshal([]byte(EncodeStored(data)), &got); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(data)
	json.Unmarshal(raw, &want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("EncodeStored = %v, want %v", got, want)
	}
}

// TestDecodeStoredRoundTrip: what EncodeStored writes, DecodeStored reads
// back as the same stored values, on its fast path and on encoding/json's.
func TestDecodeStoredRoundTrip(t *testing.T) {
	rows := []map[string]any{
		{"a": "plain", "e": int64(-42), "f": 3.25, "g": nil, "d": "naïve ☃"},
		{"b": "quo\"te \\ back", "c": "tab\there", "h": "\u2028line", "i": "<html>&", "e": int64(7)},
		{},
	}
	for _, data := range rows {
		got, err := DecodeStored(EncodeStored(data))
		if err != nil {
			t.Fatalf("DecodeStored(%s): %v", EncodeStored(data), err)
		}
		if len(got) != len(data) {
			t.Fatalf("DecodeStored(%s) = %v, want %v", EncodeStored(data), got, data)
		}
		for k, v := range data {
			if got[k] != v {
				t.Fatalf("DecodeStored(%s)[%s] = %#v, want %#v", EncodeStored(data), k, got[k], v)
			}
		}
	}
}

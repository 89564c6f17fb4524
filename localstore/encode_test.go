package localstore

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestEncodeStoredMatchesJSON(t *testing.T) {
	data := map[string]any{"a": "plain", "b": "quo\"te \\ back", "c": "tab\there", "d": "naïve ☃", "e": int64(-42),
		"f": 3.25, "g": nil, "h": "\u2028line", "i": "<html>&"}
	var got, want map[string]any
	if err := json.Unmarshal([]byte(encodeStored(data)), &got); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(data)
	json.Unmarshal(raw, &want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("encodeStored = %v, want %v", got, want)
	}
}

// TestDecodeStoredRoundTrip: what encodeStored writes, decodeStored reads
// back as the same stored values, on its fast path and on encoding/json's.
func TestDecodeStoredRoundTrip(t *testing.T) {
	rows := []map[string]any{
		{"a": "plain", "e": int64(-42), "f": 3.25, "g": nil, "d": "naïve ☃"},
		{"b": "quo\"te \\ back", "c": "tab\there", "h": "\u2028line", "i": "<html>&", "e": int64(7)},
		{},
	}
	for _, data := range rows {
		got, err := decodeStored(encodeStored(data))
		if err != nil {
			t.Fatalf("decodeStored(%s): %v", encodeStored(data), err)
		}
		if len(got) != len(data) {
			t.Fatalf("decodeStored(%s) = %v, want %v", encodeStored(data), got, data)
		}
		for k, v := range data {
			if got[k] != v {
				t.Fatalf("decodeStored(%s)[%s] = %#v, want %#v", encodeStored(data), k, got[k], v)
			}
		}
	}
}

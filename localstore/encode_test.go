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

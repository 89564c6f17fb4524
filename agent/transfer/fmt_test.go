package transfer_test

import (
	"encoding/json"
	"fmt"
)

func fmtValue(v any) string {
	if raw, ok := v.(json.RawMessage); ok {
		return string(raw)
	}
	return fmt.Sprintf("%T:%v", v, v)
}

package tools

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pam-rv/pamd/schema"
)

// Schema is the subset of JSON Schema (draft 2020-12) that tool parameters
// use: what LLM tool-calling APIs read, and what Execute validates before a
// tool runs. It is generated from a tool's argument type by schemaOf.
type Schema struct {
	Type                 any                `json:"type,omitempty"` // "string" or a list of types
	Description          string             `json:"description,omitempty"`
	Enum                 []string           `json:"enum,omitempty"`
	Format               string             `json:"format,omitempty"` // date, date-time, uuid, money
	Pattern              string             `json:"pattern,omitempty"`
	Default              any                `json:"default,omitempty"`
	Minimum              *float64           `json:"minimum,omitempty"`
	Maximum              *float64           `json:"maximum,omitempty"`
	ExclusiveMinimum     *float64           `json:"exclusiveMinimum,omitempty"`
	MinLength            *int               `json:"minLength,omitempty"`
	MaxLength            *int               `json:"maxLength,omitempty"`
	Items                *Schema            `json:"items,omitempty"`
	MinItems             *int               `json:"minItems,omitempty"`
	MaxItems             *int               `json:"maxItems,omitempty"`
	Properties           map[string]*Schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	AdditionalProperties *bool              `json:"additionalProperties,omitempty"`
	MaxProperties        *int               `json:"maxProperties,omitempty"`
	AnyOf                []*Schema          `json:"anyOf,omitempty"`

	re *regexp.Regexp // Pattern, compiled by compile
}

// compile compiles the patterns of s and of every schema inside it, once,
// when the tool is registered. A bad pattern is a programming error.
func (s *Schema) compile() {
	if s == nil {
		return
	}
	if s.Pattern != "" {
		s.re = regexp.MustCompile(s.Pattern)
	}
	s.Items.compile()
	for _, p := range s.Properties {
		p.compile()
	}
	for _, a := range s.AnyOf {
		a.compile()
	}
}

// MarshalJSON writes the schema, giving a closed object without
// parameters an explicit empty "properties", as tool-calling APIs expect.
func (s *Schema) MarshalJSON() ([]byte, error) {
	type plain Schema
	b, err := json.Marshal((*plain)(s))
	if err != nil || s.Type != "object" || s.Properties != nil || s.AdditionalProperties == nil {
		return b, err
	}
	return append(b[:len(b)-1], []byte(`,"properties":{}}`)...), nil
}

// schemaProvider is implemented by argument types whose schema is not
// derived from their Go kind (Money, rows given as an object or a list).
type schemaProvider interface{ JSONSchema() *Schema }

var (
	providerType   = reflect.TypeFor[schemaProvider]()
	rawMessageType = reflect.TypeFor[json.RawMessage]()
)

// generator turns Go types into schemas. custom overrides the schema of
// named types whose schema depends on the registry (the table enum).
type generator struct {
	custom map[reflect.Type]func() *Schema
}

// schemaOf returns the schema of t. Struct fields are described by tags:
//
//	json:"name,omitempty"   the parameter's name (fields tagged "-" are skipped)
//	desc:"..."              its description for the model
//	schema:"required,min=0,max=100,exclusiveMin=0,enum=a|b,format=date,
//	        pattern=^x$,minLength=1,maxLength=64,minItems=1,maxItems=20,
//	        maxProperties=100,default=30,type=object"
//
// Structs are closed objects (additionalProperties false), so an unknown
// argument is refused rather than ignored.
func (g *generator) schemaOf(t reflect.Type) *Schema {
	if f, ok := g.custom[t]; ok {
		return f()
	}
	if t.Kind() == reflect.Pointer {
		return g.schemaOf(t.Elem())
	}
	if t.Implements(providerType) {
		return reflect.Zero(t).Interface().(schemaProvider).JSONSchema()
	}
	switch t.Kind() {
	case reflect.String:
		return &Schema{Type: "string"}
	case reflect.Bool:
		return &Schema{Type: "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &Schema{Type: "integer"}
	case reflect.Float32, reflect.Float64:
		return &Schema{Type: "number"}
	case reflect.Slice, reflect.Array:
		if t == rawMessageType {
			return &Schema{} // any JSON value
		}
		return &Schema{Type: "array", Items: g.schemaOf(t.Elem())}
	case reflect.Map:
		return &Schema{Type: "object"}
	case reflect.Interface:
		return &Schema{}
	case reflect.Struct:
		return g.object(t)
	}
	panic(fmt.Sprintf("tools: no JSON Schema for Go type %s", t))
}

func (g *generator) object(t reflect.Type) *Schema {
	closed := false
	s := &Schema{Type: "object", AdditionalProperties: &closed}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		p := g.schemaOf(f.Type)
		if d := f.Tag.Get("desc"); d != "" {
			p.Description = d
		}
		if applyTag(p, f.Tag.Get("schema")) {
			s.Required = append(s.Required, name)
		}
		if s.Properties == nil {
			s.Properties = make(map[string]*Schema)
		}
		s.Properties[name] = p
	}
	return s
}

// applyTag applies a schema tag to p and reports whether it says required.
// A malformed tag is a programming error and panics when the registry is
// built, which every test does.
func applyTag(p *Schema, tag string) (required bool) {
	if tag == "" {
		return false
	}
	num := func(k, v string) *float64 {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			panic(fmt.Sprintf("tools: schema tag %s=%q: %v", k, v, err))
		}
		return &f
	}
	count := func(k, v string) *int {
		n, err := strconv.Atoi(v)
		if err != nil {
			panic(fmt.Sprintf("tools: schema tag %s=%q: %v", k, v, err))
		}
		return &n
	}
	for _, part := range strings.Split(tag, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "required":
			required = true
		case "min":
			p.Minimum = num(k, v)
		case "max":
			p.Maximum = num(k, v)
		case "exclusiveMin":
			p.ExclusiveMinimum = num(k, v)
		case "enum":
			p.Enum = strings.Split(v, "|")
		case "format":
			p.Format = v
		case "pattern":
			p.Pattern = v
		case "minLength":
			p.MinLength = count(k, v)
		case "maxLength":
			p.MaxLength = count(k, v)
		case "minItems":
			p.MinItems = count(k, v)
		case "maxItems":
			p.MaxItems = count(k, v)
		case "maxProperties":
			p.MaxProperties = count(k, v)
		case "type":
			p.Type = v
		case "default":
			switch p.Type {
			case "integer":
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					panic(fmt.Sprintf("tools: schema tag default=%q: %v", v, err))
				}
				p.Default = n
			case "number":
				p.Default = *num(k, v)
			case "boolean":
				p.Default = v == "true"
			default:
				p.Default = v
			}
		default:
			panic(fmt.Sprintf("tools: unknown schema tag %q", k))
		}
	}
	return required
}

// maxArgErrors caps the errors reported for one call.
const maxArgErrors = 20

// validator checks decoded arguments (encoding/json with UseNumber)
// against a schema, collecting errors by path ("operations[2].table").
type validator struct {
	errs []schema.FieldError
	// ignored lists the "user_id" keys dropped from closed objects: the
	// caller is the authenticated user, whatever the arguments say.
	ignored []string
}

func (v *validator) add(path, format string, args ...any) {
	if len(v.errs) < maxArgErrors {
		if path == "" {
			path = "(arguments)"
		}
		v.errs = append(v.errs, schema.FieldError{Field: path, Reason: fmt.Sprintf(format, args...)})
	}
}

// validate checks val against s. For closed objects it also drops null
// values of optional properties, which models send for "not given".
func (v *validator) validate(s *Schema, val any, path string) {
	if len(s.AnyOf) > 0 {
		for _, alt := range s.AnyOf {
			var sub validator
			sub.validate(alt, val, path)
			if len(sub.errs) == 0 {
				return
			}
		}
		v.add(path, "%s", s.describeAnyOf())
		return
	}
	if s.Type != nil && !typeMatches(s.Type, val) {
		v.add(path, "expected %s, got %s", typeText(s.Type), kindOf(val))
		return
	}
	switch x := val.(type) {
	case string:
		v.checkString(s, x, path)
	case json.Number:
		v.checkNumber(s, x, path)
	case []any:
		if s.MinItems != nil && len(x) < *s.MinItems {
			v.add(path, "needs at least %d item(s)", *s.MinItems)
		}
		if s.MaxItems != nil && len(x) > *s.MaxItems {
			v.add(path, "takes at most %d items", *s.MaxItems)
			return
		}
		if s.Items != nil {
			for i, e := range x {
				v.validate(s.Items, e, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	case map[string]any:
		v.checkObject(s, x, path)
	}
}

func (v *validator) checkString(s *Schema, x string, path string) {
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, x) {
		v.add(path, "must be one of: %s", strings.Join(s.Enum, ", "))
		return
	}
	n := utf8.RuneCountInString(x)
	if s.MinLength != nil && n < *s.MinLength {
		v.add(path, "must not be shorter than %d character(s)", *s.MinLength)
	}
	if s.MaxLength != nil && n > *s.MaxLength {
		v.add(path, "must not be longer than %d characters", *s.MaxLength)
	}
	if s.re != nil && !s.re.MatchString(x) {
		v.add(path, "must match %s", s.Pattern)
	}
	switch s.Format {
	case "date":
		if _, err := schema.ParseDate(x); err != nil {
			v.add(path, "not a date (YYYY-MM-DD)")
		}
	case "date-time":
		if _, err := time.Parse(time.RFC3339, x); err != nil {
			v.add(path, "not an RFC 3339 timestamp")
		}
	case "uuid":
		if _, err := schema.ParseUUID(x); err != nil {
			v.add(path, "not a UUID")
		}
	case "money":
		if _, err := schema.ParseDecimal(x, 2); err != nil {
			v.add(path, "not an amount of money (%v)", err)
			return
		}
		f, _ := strconv.ParseFloat(strings.TrimSpace(x), 64)
		v.checkBounds(s, f, path)
	}
}

func (v *validator) checkNumber(s *Schema, x json.Number, path string) {
	f, err := strconv.ParseFloat(string(x), 64)
	if err != nil || math.IsInf(f, 0) {
		v.add(path, "not a finite number")
		return
	}
	if s.Format == "money" {
		if _, err := schema.ParseDecimal(x, 2); err != nil {
			v.add(path, "not an amount of money (%v)", err)
			return
		}
	}
	v.checkBounds(s, f, path)
}

func (v *validator) checkBounds(s *Schema, f float64, path string) {
	switch {
	case s.Minimum != nil && f < *s.Minimum:
		v.add(path, "must be at least %v", *s.Minimum)
	case s.ExclusiveMinimum != nil && f <= *s.ExclusiveMinimum:
		v.add(path, "must be greater than %v", *s.ExclusiveMinimum)
	case s.Maximum != nil && f > *s.Maximum:
		v.add(path, "must be at most %v", *s.Maximum)
	}
}

func (v *validator) checkObject(s *Schema, x map[string]any, path string) {
	if s.MaxProperties != nil && len(x) > *s.MaxProperties {
		v.add(path, "takes at most %d keys", *s.MaxProperties)
		return
	}
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	for _, k := range s.Required {
		if e, ok := x[k]; !ok || e == nil {
			v.add(join(k), "required")
		}
	}
	closed := s.AdditionalProperties != nil && !*s.AdditionalProperties
	keys := make([]string, 0, len(x))
	for k := range x {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		p, known := s.Properties[k]
		switch {
		case !known && closed && k == "user_id":
			delete(x, k)
			v.ignored = append(v.ignored, join(k))
		case !known && closed:
			v.add(join(k), "unknown argument; allowed: %s", strings.Join(s.propertyNames(), ", "))
		case !known:
		case x[k] == nil && !slices.Contains(s.Required, k):
			delete(x, k) // null means "not given"
		case x[k] != nil:
			v.validate(p, x[k], join(k))
			x[k] = integral(p, x[k])
		}
	}
}

// integral rewrites a whole number written with a fraction (30.0) as an
// integer for an integer property, so it decodes into a Go int.
func integral(s *Schema, val any) any {
	n, ok := val.(json.Number)
	if !ok || s.Type != "integer" {
		return val
	}
	if _, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return val
	}
	if f, err := strconv.ParseFloat(string(n), 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return json.Number(strconv.FormatInt(int64(f), 10))
	}
	return val
}

func (s *Schema) propertyNames() []string {
	names := make([]string, 0, len(s.Properties))
	for k := range s.Properties {
		names = append(names, k)
	}
	slices.Sort(names)
	if len(names) == 0 {
		return []string{"(none)"}
	}
	return names
}

func (s *Schema) describeAnyOf() string {
	alts := make([]string, len(s.AnyOf))
	for i, a := range s.AnyOf {
		alts[i] = typeText(a.Type)
		if a.Items != nil {
			alts[i] += " of " + typeText(a.Items.Type)
		}
	}
	return "expected " + strings.Join(alts, " or ")
}

func typeMatches(t any, val any) bool {
	switch tt := t.(type) {
	case string:
		return kindMatches(tt, val)
	case []string:
		for _, e := range tt {
			if kindMatches(e, val) {
				return true
			}
		}
	}
	return false
}

func kindMatches(t string, val any) bool {
	switch t {
	case "integer":
		n, ok := val.(json.Number)
		if !ok {
			return false
		}
		if _, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return true
		}
		f, err := strconv.ParseFloat(string(n), 64)
		return err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53
	case "number":
		_, ok := val.(json.Number)
		return ok
	}
	return kindOf(val) == t
}

func typeText(t any) string {
	switch tt := t.(type) {
	case string:
		return tt
	case []string:
		return strings.Join(tt, " or ")
	}
	return "any"
}

func kindOf(val any) string {
	switch val.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", val)
}

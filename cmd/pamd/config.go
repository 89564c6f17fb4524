package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/sync/replica"
)

// Config is everything the daemon can be told. Precedence, resolved here
// and nowhere else: DefaultConfig, then the environment, then flags.
type Config struct {
	DataDir      string
	Listen       string
	LogFormat    string // json | text
	LogLevel     string // debug | info | warn | error
	JWTSecret    string
	JWTIssuer    string // the iss every accepted JWT carries
	JWKSURL      string // the project's JSON Web Key Set
	CORSOrigins  []string
	AllowedHosts []string
	Demo         bool // fill the demo data set when the database is new
	CentralURL   string
	SyncSchedule string
	SyncBBox     string // minLat,minLon,maxLat,maxLon of the reference data to keep
	LLM          LLMConfig
	// InsightsSchedule is the cron spec of the proactive insight job.
	InsightsSchedule string
	// BackupSchedule is the cron spec of the local backups ("off": none).
	BackupSchedule string
	// TokenRate and AddrRate are the request rate limits per second per
	// credential and per LAN address (bursts of four times as many); 0
	// turns one off.
	TokenRate, AddrRate float64
	// MemoryLimit is the Go runtime's soft memory limit in bytes
	// (debug.SetMemoryLimit); 0 leaves the runtime's own (GOMEMLIMIT).
	MemoryLimit int64

	afterParse      []func() // steps that turn parsed flag text into fields
	memoryLimitText string   // --memory-limit as given, parsed by Validate
	fromFiles       []func() error
}

// DefaultConfig is the configuration with nothing set.
func DefaultConfig() Config {
	return Config{
		DataDir:          "/var/lib/pamd",
		Listen:           "127.0.0.1:8000",
		LogFormat:        "json",
		LogLevel:         "info",
		SyncSchedule:     "@every 5m",
		InsightsSchedule: "@every 1h",
		BackupSchedule:   "@daily",
		MemoryLimit:      DefaultMemoryLimit,
		TokenRate:        api.DefaultTokenRate,
		AddrRate:         api.DefaultAddrRate,
		LLM: LLMConfig{
			OpenAIModel:         "gpt-4-turbo",
			OpenAIFallbackModel: "gpt-3.5-turbo",
			OllamaURL:           "http://127.0.0.1:11434",
			OllamaModel:         "llama3.1:8b",
		},
	}
}

// ConfigError names the setting at fault.
type ConfigError struct {
	Setting string
	Err     error
}

func (e *ConfigError) Error() string { return e.Setting + ": " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

var (
	ErrRequired = errors.New("required")
	ErrInvalid  = errors.New("invalid value")
)

// Validate checks the resolved configuration.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return &ConfigError{"--data-dir / PAM_DATA_DIR", ErrRequired}
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return &ConfigError{"--listen / PAM_LISTEN", fmt.Errorf("%w: %q is not host:port", ErrInvalid, c.Listen)}
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return &ConfigError{"--log-format / PAM_LOG_FORMAT", fmt.Errorf("%w: %q (json or text)", ErrInvalid, c.LogFormat)}
	}
	if c.SyncBBox != "" {
		if _, err := replica.ParseBBox(c.SyncBBox); err != nil {
			return &ConfigError{"--sync-bbox / PAM_SYNC_BBOX", fmt.Errorf("%w: %v", ErrInvalid, err)}
		}
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		return &ConfigError{"--log-level / PAM_LOG_LEVEL", err}
	}
	if c.memoryLimitText != "" {
		n, err := parseBytes(c.memoryLimitText)
		if err != nil {
			return &ConfigError{"--memory-limit / PAM_MEMORY_LIMIT", err}
		}
		c.MemoryLimit = n
	}
	if c.MemoryLimit != 0 && c.MemoryLimit < 64<<20 {
		return &ConfigError{"--memory-limit / PAM_MEMORY_LIMIT", fmt.Errorf("%w: %s is below 64MiB, too little to run", ErrInvalid, formatBytes(c.MemoryLimit))}
	}
	return nil
}

// applyMemoryLimit sets the runtime's soft memory limit, once per process,
// from the resolved configuration.
func (c *Config) applyMemoryLimit() {
	if c.MemoryLimit > 0 {
		debug.SetMemoryLimit(c.MemoryLimit)
	}
}

var byteUnits = []struct {
	suffix string
	n      int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}

// parseBytes reads a size such as 512MiB, 1GiB, 300MB or 1048576.
func parseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.n
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<50)/mult {
		return 0, fmt.Errorf("%w: %q (a size such as 512MiB or 1GiB)", ErrInvalid, s)
	}
	return n * mult, nil
}

// formatBytes renders n in the largest binary unit that divides it.
func formatBytes(n int64) string {
	for _, u := range byteUnits[:3] {
		if n != 0 && n%u.n == 0 {
			return strconv.FormatInt(n/u.n, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// env reads an environment variable over a default.
type env func(string) string

func (e env) str(key, def string) string {
	if v := e(key); v != "" {
		return v
	}
	return def
}

// float reads a number; a value that is not one keeps the default and is
// caught by the flag when given there.
func (e env) float(key string, def float64) float64 {
	if v, err := strconv.ParseFloat(strings.TrimSpace(e(key)), 64); err == nil && v >= 0 {
		return v
	}
	return def
}

func (e env) boolean(key string, def bool) bool {
	switch strings.ToLower(e(key)) {
	case "1", "true", "yes", "on":
		return true
	case "0", "false", "no", "off":
		return false
	}
	return def
}

// DefaultMemoryLimit suits a 2 GB board shared with a local model: the
// runtime collects harder as the heap nears it (a soft limit: it is never
// an out-of-memory error).
const DefaultMemoryLimit = 512 << 20

// bindCommon registers the settings every command shares.
func (c *Config) bindCommon(fs *flag.FlagSet, e env) {
	def := formatBytes(c.MemoryLimit)
	if e("GOMEMLIMIT") != "" {
		def = "0" // the runtime already has one, set the Go way
	}
	limit := e.str("PAM_MEMORY_LIMIT", def)
	fs.Func("memory-limit", "Go runtime soft memory `limit`, such as 512MiB or 1GiB; 0 leaves GOMEMLIMIT to the runtime (PAM_MEMORY_LIMIT) (default "+limit+")", func(v string) error {
		limit = v
		return nil
	})
	c.afterParse = append(c.afterParse, func() { c.memoryLimitText = limit })
	fs.StringVar(&c.DataDir, "data-dir", e.str("PAM_DATA_DIR", c.DataDir), "state directory holding the database `dir` (PAM_DATA_DIR)")
	fs.StringVar(&c.LogFormat, "log-format", e.str("PAM_LOG_FORMAT", c.LogFormat), "log format, json or text (PAM_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", e.str("PAM_LOG_LEVEL", c.LogLevel), "log level: debug, info, warn, error (PAM_LOG_LEVEL)")
}

// bindServe registers the daemon's settings.
func (c *Config) bindServe(fs *flag.FlagSet, e env) {
	c.bindCommon(fs, e)
	fs.StringVar(&c.Listen, "listen", e.str("PAM_LISTEN", c.Listen), "HTTP listen `address`; listening on the LAN is an explicit choice (PAM_LISTEN)")
	fs.StringVar(&c.JWTSecret, "jwt-secret", e.str("PAM_JWT_SECRET", c.JWTSecret), "Supabase JWT secret to verify user tokens offline (PAM_JWT_SECRET)")
	fs.StringVar(&c.JWKSURL, "jwks-url", e.str("PAM_JWKS_URL", c.JWKSURL), "`url` of the project's JSON Web Key Set, e.g. https://<ref>.supabase.co/auth/v1/.well-known/jwks.json, to verify ES256/RS256 tokens; cached in the data directory for offline use (PAM_JWKS_URL)")
	fs.StringVar(&c.JWTIssuer, "jwt-issuer", e.str("PAM_JWT_ISSUER", c.JWTIssuer), "the `iss` accepted JWTs must carry, the project's auth URL such as https://<ref>.supabase.co/auth/v1; default: derived from --jwks-url, and with neither only JWTs naming no issuer are accepted (PAM_JWT_ISSUER)")
	cors := fs.String("cors-origins", e.str("PAM_CORS_ORIGINS", strings.Join(c.CORSOrigins, ",")), "comma-separated browser `origins` (scheme://host[:port]) of web apps allowed to call the API from elsewhere (PAM_CORS_ORIGINS)")
	hosts := fs.String("allowed-hosts", e.str("PAM_ALLOWED_HOSTS", strings.Join(c.AllowedHosts, ",")), "comma-separated host names browsers may use besides localhost and IPs (PAM_ALLOWED_HOSTS)")
	fs.Float64Var(&c.TokenRate, "token-rate", e.float("PAM_TOKEN_RATE", c.TokenRate), "requests a `second` one token may make, after a burst of four times as many; 0 for no limit (PAM_TOKEN_RATE)")
	fs.Float64Var(&c.AddrRate, "addr-rate", e.float("PAM_ADDR_RATE", c.AddrRate), "requests a `second` one LAN address may make (loopback is not limited per address), after a burst of four times as many; 0 for no limit (PAM_ADDR_RATE)")
	fs.BoolVar(&c.Demo, "demo", e.boolean("PAM_DEMO", c.Demo), "fill the demo data set when the database is new (PAM_DEMO)")
	c.bindCentral(fs, e)
	c.bindLLM(fs, e)
	c.secretFromFile(&c.JWTSecret, e, "PAM_JWT_SECRET", "jwt-secret")
	c.secretFromFile(&c.LLM.OpenAIKey, e, "PAM_OPENAI_API_KEY", "openai-api-key")
	fs.StringVar(&c.InsightsSchedule, "insights-schedule", e.str("PAM_INSIGHTS_SCHEDULE", c.InsightsSchedule), "cron `spec` of the proactive insights (maintenance due, budgets) (PAM_INSIGHTS_SCHEDULE)")
	fs.StringVar(&c.BackupSchedule, "backup-schedule", e.str("PAM_BACKUP_SCHEDULE", c.BackupSchedule), "cron `spec` of the local backups into <data-dir>/backups, kept 7 days and 4 weeks; off for none (PAM_BACKUP_SCHEDULE)")
	fs.StringVar(&c.SyncSchedule, "sync-schedule", e.str("PAM_SYNC_SCHEDULE", c.SyncSchedule), "cron `spec` of the periodic sync (PAM_SYNC_SCHEDULE)")
	c.afterParse = append(c.afterParse, func() {
		if c.JWTIssuer == "" {
			c.JWTIssuer, _ = strings.CutSuffix(c.JWKSURL, "/.well-known/jwks.json")
			if c.JWTIssuer == c.JWKSURL {
				c.JWTIssuer = ""
			}
		}
		c.CORSOrigins = nil
		for _, o := range strings.Split(*cors, ",") {
			if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
				c.CORSOrigins = append(c.CORSOrigins, o)
			}
		}
		c.AllowedHosts = nil
		for _, h := range strings.Split(*hosts, ",") {
			if h = strings.TrimSpace(strings.ToLower(h)); h != "" {
				c.AllowedHosts = append(c.AllowedHosts, h)
			}
		}
	})
}

// bindCentral registers the central database URL.
func (c *Config) bindCentral(fs *flag.FlagSet, e env) {
	fs.StringVar(&c.CentralURL, "central-url", e.str("PAM_CENTRAL_URL", c.CentralURL), "central Postgres `url` (this device's role, from pamd central add-device) (PAM_CENTRAL_URL)")
	fs.StringVar(&c.SyncBBox, "sync-bbox", e.str("PAM_SYNC_BBOX", c.SyncBBox), "keep only reference data inside `minLat,minLon,maxLat,maxLon` (PAM_SYNC_BBOX)")
	c.secretFromFile(&c.CentralURL, e, "PAM_CENTRAL_URL", "central-url")
}

// secretFromFile fills *dst after parsing when neither its flag nor key
// set it: from the file named by key_FILE, else from the systemd
// credential cred ($CREDENTIALS_DIRECTORY/cred: LoadCredential= in
// packaging/pamd.service). A secret read this way shows neither in ps nor
// in an environment file. One trailing newline is dropped.
func (c *Config) secretFromFile(dst *string, e env, key, cred string) {
	c.fromFiles = append(c.fromFiles, func() error {
		if *dst != "" {
			return nil
		}
		path := e(key + "_FILE")
		setting := key + "_FILE"
		if path == "" {
			dir := e("CREDENTIALS_DIRECTORY")
			if dir == "" {
				return nil
			}
			path = filepath.Join(dir, cred)
			setting = "credential " + cred
			if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
				return nil
			}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return &ConfigError{setting, fmt.Errorf("%w: %w", ErrInvalid, err)}
		}
		*dst = strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		return nil
	})
}

// parse parses args into the flag set, runs the post-parse steps and
// validates. -h prints the flags on stdout and returns flag.ErrHelp.
func (c *Config) parse(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q: %s takes flags only (see %s -h)", errUsage, fs.Arg(0), fs.Name(), fs.Name())
	}
	for _, f := range c.afterParse {
		f()
	}
	for _, f := range c.fromFiles {
		if err := f(); err != nil {
			return err
		}
	}
	return c.Validate()
}

// parseFlags parses args. -h prints the flags on stdout and returns
// flag.ErrHelp; a bad flag prints the flag package's complaint and the
// flags on the flag set's output (stderr) and returns an already reported
// usage error.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printFlags(fs, stdout)
		return flag.ErrHelp
	case err != nil: // the flag package said what is wrong
		printFlags(fs, fs.Output())
		return fmt.Errorf("%w%w: %v", errUsage, errReported, err)
	}
	return nil
}

func printFlags(fs *flag.FlagSet, w io.Writer) {
	out := fs.Output()
	fs.SetOutput(w)
	fmt.Fprintf(w, "Usage of %s:\n", fs.Name())
	fs.PrintDefaults()
	fs.SetOutput(out)
}

// newFlagSet makes a command's flag set; it reports on stderr and leaves
// printing the flags to parseFlags.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("pamd "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	return fs
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("%w: %q", ErrInvalid, s)
	}
	return l, nil
}

// newLogger builds the one logger every component derives from.
func (c *Config) newLogger(w io.Writer) *slog.Logger {
	level, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// parseBBox reads the validated bounding box; "" means none.
func parseBBox(s string) (*replica.BBox, error) {
	if s == "" {
		return nil, nil
	}
	return replica.ParseBBox(s)
}

/* llmcost.usage._scan: price a chunk of clean JSON Lines in one compiled pass.
 *
 * An accelerator, never the judge: it prices a chunk only when every line in it is a record
 * the SQL readers (query.py) would price or skip, with the same fields, counts, instant and
 * price-grid row. Anything else -- a line that is not strict JSON, a count that is not a
 * plain whole number, an escape in a key, count, instant or batch flag, a record with no
 * price -- stops the chunk ("abort"), and the caller reads the file with DuckDB as before.
 * So it may be stricter than the SQL readers, never looser. A name it was not told about is
 * handed back to be looked up, and the chunk scanned again.
 *
 * Python passes the field tree (nodes of keys; leaves are slots with a role), the model
 * names it knows, each model's price bounds and the grid's stretches (pricegrid.py); `scan`
 * parses a buffer of whole lines with the GIL released and returns the sums per grid row and
 * group. See scan.py for the driver and the exact contract.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define DAY_US 86400000000LL
#define US_UNTIL 4102444800000000LL /* 2100-01-01 UTC */
#define MAX_DEPTH 128
#define MAX_UNKNOWN 4096
#define MAX_LINE (16 << 20) /* DuckDB's JSON reader takes objects up to 16 MiB (readers.py) */

enum { V_ABSENT, V_NULL, V_STR, V_NUM, V_TRUE, V_FALSE, V_OBJ, V_ARR };
/* A slot is a field llmcost reads: a count (its index among the count fields) or another
 * field (-1). Which field is a record's model, instant, id, tier or batch flag, how its shape
 * is found and how its counts become the canonical ones: all given by Python (rules.py). */
#define MAX_COUNTS 128
#define MAX_SHAPES 32
#define MAX_LIST 8   /* fields in one list: detect, model, instant, tier, an id's parts */
#define MAX_TERMS 6  /* terms of one canonical count */
#define MAX_ALTS 3   /* alternatives of one term */
#define MAX_WORDS 8
#define MAX_NOT 8

typedef struct { int n, at[MAX_LIST]; } List;
typedef struct { int sign, nalts; List alts[MAX_ALTS]; } Term;
typedef struct { int nterms; Term terms[MAX_TERMS]; } Formula;
typedef struct {
    List detect, model, ts, tier;
    int nids; List ids[MAX_ALTS];
    int batch, always_batch;
    Formula counts[5];
} Shape;
typedef struct { int slot, nwords, without_usage; char *words[MAX_WORDS]; uint32_t lens[MAX_WORDS]; } NotRecord;

typedef struct { uint8_t kind, flags; const char *p; uint32_t len; } Val;
#define F_ESC 1      /* a string with a backslash escape */
#define F_NONASCII 2 /* a string with a byte >= 0x80 */
#define F_PLAIN 1    /* a number of digits only */

typedef struct { const char *key; uint32_t len; int child; int slot; uint32_t fold; } Entry;
#define NODE_BUCKETS 256 /* per node: its keys by case-folded hash (at most MAX_KEYS) */
#define MAX_KEYS (NODE_BUCKETS / 2)
typedef struct { int first, count; int16_t bucket[NODE_BUCKETS]; } Node;
typedef struct { int count; } Slot; /* count index, or -1 */

typedef struct {
    int64_t base; int batch_ok, bands, day_mult, ncuts, nthr;
    int64_t *cuts, *thr;
} Stretch;

typedef struct { char *key; uint32_t len; int value; } NameSlot;

#define MAX_PARTS 8
/* a count a shape must carry, unless all of `instead` are there (shapes.REQUIRED) */
typedef struct { int shape, field, ninstead, instead[MAX_PARTS]; } Required;
/* counts that must agree where `whole` is there (shapes.AGREE): whole = parts, or >= */
typedef struct { int shapes, whole, at_least, nparts, parts[MAX_PARTS], zeros; } Agree;

typedef struct {
    Node *nodes; int nnodes;
    Entry *entries; int nentries;
    Slot *slots; int nslots;
    NameSlot *names; uint32_t names_mask;
    int nmodels;
    int64_t **bounds; int *nbounds;
    int **stretch_of; /* model -> stretch index per bound index (0..nbounds), -1: no price */
    Stretch *stretches; int nstretches;
    int64_t since, until; int has_since, has_until;
    int by_day, by_shape, ngroups;
    int64_t day_us; /* the width of a day group's bucket (a UTC day, or less for a zone) */
    int group_slot[64]; /* the slot of each group field, in order */
    int nshapes; Shape shapes[MAX_SHAPES + 1]; /* the last: a record of no shape */
    int ncounts; int count_slot[MAX_COUNTS]; uint8_t lenient[MAX_COUNTS];
    int nnot; NotRecord not_records[MAX_NOT];
    int64_t at; int has_at; /* --at: the instant of a record that has none */
    Required *required; int nrequired;
    Agree *agree; int nagree;
    int64_t *context_window, *max_output; /* per model */
} Config;

/* ---------- small helpers ---------- */

static uint64_t hash_bytes(const char *p, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) { h ^= (unsigned char)p[i]; h *= 1099511628211ULL; }
    return h ^ (h >> 29);
}

static int name_lookup(const Config *c, const char *p, uint32_t n, int *found) {
    uint32_t i = (uint32_t)hash_bytes(p, n) & c->names_mask;
    for (;;) {
        NameSlot *s = &c->names[i];
        if (!s->key) { *found = 0; return -1; }
        if (s->len == n && memcmp(s->key, p, n) == 0) { *found = 1; return s->value; }
        i = (i + 1) & c->names_mask;
    }
}

/* ---------- the result of one scan ---------- */

typedef struct {
    uint64_t hash; uint32_t off, len; int64_t records; int64_t sums[5]; int used;
} Group;

typedef struct {
    Group *groups; uint32_t cap, n;
    char *arena; size_t arena_len, arena_cap;
    int64_t skipped, records;
    uint32_t unknown_off[MAX_UNKNOWN], unknown_n[MAX_UNKNOWN]; int nunknown; /* in arena */
    char *name; size_t name_cap; /* a model name with escapes, decoded */
    const char *abort_reason; Py_ssize_t abort_at;
    int nomem;
    char *key; size_t key_cap; /* the group key being built */
    uint64_t *ids; size_t nids, ids_cap; /* a digest of each record's id, in order */
} Result;

static int key_room(Result *r, size_t n) {
    if (n <= r->key_cap) return 0;
    char *k = realloc(r->key, n);
    if (!k) return -1;
    r->key = k; r->key_cap = n;
    return 0;
}

static int arena_put(Result *r, const char *p, size_t n, uint32_t *off) {
    if (r->arena_len + n > r->arena_cap) {
        size_t cap = r->arena_cap ? r->arena_cap : 4096;
        while (cap < r->arena_len + n) cap *= 2;
        char *a = realloc(r->arena, cap);
        if (!a) return -1;
        r->arena = a; r->arena_cap = cap;
    }
    if (n) memcpy(r->arena + r->arena_len, p, n); /* an empty name: no arena yet, maybe */
    *off = (uint32_t)r->arena_len;
    r->arena_len += n;
    return 0;
}

static Group *group_for(Result *r, const char *key, uint32_t len) {
    if (r->n * 2 >= r->cap) {
        uint32_t cap = r->cap ? r->cap * 2 : 64;
        Group *g = calloc(cap, sizeof(Group));
        if (!g) return NULL;
        for (uint32_t i = 0; i < r->cap; i++) {
            if (!r->groups[i].used) continue;
            uint32_t j = (uint32_t)r->groups[i].hash & (cap - 1);
            while (g[j].used) j = (j + 1) & (cap - 1);
            g[j] = r->groups[i];
        }
        free(r->groups);
        r->groups = g; r->cap = cap;
    }
    uint64_t h = hash_bytes(key, len);
    uint32_t i = (uint32_t)h & (r->cap - 1);
    while (r->groups[i].used) {
        Group *g = &r->groups[i];
        if (g->hash == h && g->len == len && memcmp(r->arena + g->off, key, len) == 0) return g;
        i = (i + 1) & (r->cap - 1);
    }
    Group *g = &r->groups[i];
    memset(g, 0, sizeof *g);
    if (arena_put(r, key, len, &g->off) < 0) return NULL;
    g->used = 1; g->hash = h; g->len = len;
    r->n++;
    return g;
}

/* ---------- strict JSON ---------- */

typedef struct { const char *p, *end; int depth; } P;

/* byte classes inside a string: 0 plain ASCII, 1 quote, 2 backslash, 3 control, 4 >= 0x80 */
static uint8_t STR_CLASS[256];

static void init_tables(void) {
    for (int c = 0; c < 256; c++)
        STR_CLASS[c] = c < 0x20 ? 3 : c == '"' ? 1 : c == '\\' ? 2 : c >= 0x80 ? 4 : 0;
}

/* JSON whitespace inside a line: space, tab and CR (a CRLF line's CR; DuckDB's JSON reader
 * takes a CR between tokens as whitespace, and its line reader is given CR as a tab:
 * readers.line_ready). A form feed or vertical tab is not taken. */
static inline void ws(P *s) {
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r')) s->p++;
}

static int hex4(const char *p, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

/* s->p at the opening quote; on success (*str, *len) is the raw text between the quotes */
static int string(P *s, const char **str, uint32_t *len, uint8_t *flags) {
    const unsigned char *p = (const unsigned char *)s->p + 1, *end = (const unsigned char *)s->end;
    uint8_t f = 0;
    for (;;) {
        while (end - p >= 8) { /* eight bytes at a time: any quote, backslash, control, >= 0x80? */
            uint64_t x;
            memcpy(&x, p, 8);
            const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
            uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
            uint64_t special = ((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x) | x;
            if (special & high) break;
            p += 8;
        }
        while (p < end && STR_CLASS[*p] == 0) p++;
        if (p >= end) return -1;
        unsigned char c = *p;
        switch (STR_CLASS[c]) {
        case 1:
            *str = s->p + 1;
            *len = (uint32_t)((const char *)p - (s->p + 1));
            *flags = f;
            s->p = (const char *)p + 1;
            return 0;
        case 2: {
            f |= F_ESC;
            if (p + 1 >= end) return -1;
            unsigned char e = p[1];
            if (e == 'u') {
                unsigned u;
                if (end - p < 6 || hex4((const char *)p + 2, &u) < 0) return -1;
                p += 6;
                if (u >= 0xDC00 && u <= 0xDFFF) return -1; /* a lone low surrogate */
                if (u >= 0xD800 && u <= 0xDBFF) {           /* must be a pair */
                    unsigned lo;
                    if (end - p < 6 || p[0] != '\\' || p[1] != 'u'
                        || hex4((const char *)p + 2, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
                        return -1;
                    p += 6;
                }
            } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n'
                       || e == 'r' || e == 't') {
                p += 2;
            } else {
                return -1;
            }
            break;
        }
        case 3:
            return -1;
        default: { /* UTF-8, validated */
            f |= F_NONASCII;
            size_t left = (size_t)(end - p);
            if (c >= 0xC2 && c <= 0xDF) {
                if (left < 2 || (p[1] & 0xC0) != 0x80) return -1;
                p += 2;
            } else if (c >= 0xE0 && c <= 0xEF) {
                if (left < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return -1;
                if (c == 0xE0 && p[1] < 0xA0) return -1; /* overlong */
                if (c == 0xED && p[1] > 0x9F) return -1; /* a surrogate */
                p += 3;
            } else if (c >= 0xF0 && c <= 0xF4) {
                if (left < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80
                    || (p[3] & 0xC0) != 0x80)
                    return -1;
                if (c == 0xF0 && p[1] < 0x90) return -1; /* overlong */
                if (c == 0xF4 && p[1] > 0x8F) return -1; /* past U+10FFFF */
                p += 4;
            } else {
                return -1;
            }
        }
        }
    }
}

/* the text of a string `string()` validated, escapes decoded, into out (room for n bytes:
 * never longer than its escaped form); its length, or -1 for a NUL (a text DuckDB may not
 * keep whole) */
static long unescape(const char *p, uint32_t n, char *out) {
    const char *end = p + n;
    char *o = out;
    while (p < end) {
        if (*p != '\\') { *o++ = *p++; continue; }
        char e = p[1];
        p += 2;
        switch (e) {
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned u = 0, lo = 0;
            hex4(p, &u);
            p += 4;
            if (u >= 0xD800 && u <= 0xDBFF) { /* a pair, as string() checked */
                hex4(p + 2, &lo);
                p += 6;
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (u == 0) return -1;
            if (u < 0x80) *o++ = (char)u;
            else if (u < 0x800) { *o++ = (char)(0xC0 | u >> 6); *o++ = (char)(0x80 | (u & 0x3F)); }
            else if (u < 0x10000) {
                *o++ = (char)(0xE0 | u >> 12); *o++ = (char)(0x80 | ((u >> 6) & 0x3F));
                *o++ = (char)(0x80 | (u & 0x3F));
            } else {
                *o++ = (char)(0xF0 | u >> 18); *o++ = (char)(0x80 | ((u >> 12) & 0x3F));
                *o++ = (char)(0x80 | ((u >> 6) & 0x3F)); *o++ = (char)(0x80 | (u & 0x3F));
            }
            break;
        }
        default: *o++ = e; /* " \\ / */
        }
    }
    return o - out;
}

static inline int is_digit(char c) { return c >= '0' && c <= '9'; }

/* A JSON number; *plain: digits only. Numbers a reader might take for infinity are refused:
 * more than 300 digits, or an exponent past +-300. */
static int number(P *s, uint8_t *plain) {
    const char *p = s->p, *end = s->end;
    int neg = 0, frac = 0;
    long exp = 0;
    if (p < end && *p == '-') { neg = 1; p++; }
    const char *int_start = p;
    if (p >= end || !is_digit(*p)) return -1;
    if (*p == '0') p++;
    else while (p < end && is_digit(*p)) p++;
    long int_digits = (long)(p - int_start);
    if (p < end && *p == '.') {
        p++;
        frac = 1;
        if (p >= end || !is_digit(*p)) return -1;
        const char *f0 = p;
        while (p < end && is_digit(*p)) p++;
        if (p - f0 > 300) return -1;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        frac = 1;
        int eneg = 0;
        if (p < end && (*p == '+' || *p == '-')) { eneg = *p == '-'; p++; }
        if (p >= end || !is_digit(*p)) return -1;
        while (p < end && is_digit(*p)) {
            exp = exp * 10 + (*p - '0');
            if (exp > 300) return -1;
            p++;
        }
        if (eneg) exp = -exp;
    }
    if (int_digits > 300 || int_digits + exp > 300) return -1;
    *plain = (!neg && !frac) ? F_PLAIN : 0;
    s->p = p;
    return 0;
}

static int value_skip(P *s);

static int object_skip(P *s) {
    if (++s->depth > MAX_DEPTH) return -1;
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == '}') { s->p++; s->depth--; return 0; }
    for (;;) {
        const char *k; uint32_t kl; uint8_t kf;
        if (s->p >= s->end || *s->p != '"' || string(s, &k, &kl, &kf) < 0) return -1;
        ws(s);
        if (s->p >= s->end || *s->p != ':') return -1;
        s->p++;
        ws(s);
        if (value_skip(s) < 0) return -1;
        ws(s);
        if (s->p >= s->end) return -1;
        if (*s->p == ',') { s->p++; ws(s); continue; }
        if (*s->p == '}') { s->p++; s->depth--; return 0; }
        return -1;
    }
}

static int array_skip(P *s) {
    if (++s->depth > MAX_DEPTH) return -1;
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == ']') { s->p++; s->depth--; return 0; }
    for (;;) {
        if (value_skip(s) < 0) return -1;
        ws(s);
        if (s->p >= s->end) return -1;
        if (*s->p == ',') { s->p++; ws(s); continue; }
        if (*s->p == ']') { s->p++; s->depth--; return 0; }
        return -1;
    }
}

static int literal(P *s, const char *word, size_t n) {
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0) return -1;
    s->p += n;
    return 0;
}

/* any value, validated; kind and text into *v if v */
static int value(P *s, Val *v) {
    if (s->p >= s->end) return -1;
    const char *start = s->p;
    uint8_t kind, flags = 0;
    const char *text = start;
    uint32_t len = 0;
    switch (*s->p) {
    case '"':
        if (string(s, &text, &len, &flags) < 0) return -1;
        kind = V_STR;
        break;
    case '{':
        if (object_skip(s) < 0) return -1;
        kind = V_OBJ;
        break;
    case '[':
        if (array_skip(s) < 0) return -1;
        kind = V_ARR;
        break;
    case 't':
        if (literal(s, "true", 4) < 0) return -1;
        kind = V_TRUE;
        break;
    case 'f':
        if (literal(s, "false", 5) < 0) return -1;
        kind = V_FALSE;
        break;
    case 'n':
        if (literal(s, "null", 4) < 0) return -1;
        kind = V_NULL;
        break;
    default:
        if (number(s, &flags) < 0) return -1;
        kind = V_NUM;
        len = (uint32_t)(s->p - start);
    }
    if (v) { v->kind = kind; v->flags = flags; v->p = text; v->len = len; }
    return 0;
}

static int value_skip(P *s) { return value(s, NULL); }

typedef struct {
    Val vals[256];
    uint8_t seen[1024];
    int16_t set[256], marked[1024]; /* the slots set and entries seen: cleared per record */
    int nset, nmarked;
    const char *why;
} Rec;

static inline int ascii_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* A key's hash, the same for keys equal but for ASCII case (every byte is ORed with 0x20,
 * which folds A-Z onto a-z; other bytes may collide too, and are told apart by the compare
 * after). From the length and the first and last eight bytes: two loads, no loop. */
static inline uint32_t fold_hash(const char *k, uint32_t n) {
    uint64_t a = 0, b;
    if (n >= 8) {
        memcpy(&a, k, 8);
        memcpy(&b, k + n - 8, 8);
    } else {
        for (uint32_t i = 0; i < n; i++) a |= (uint64_t)(unsigned char)k[i] << (8 * i);
        b = a;
    }
    const uint64_t fold = 0x2020202020202020ULL;
    uint64_t h = ((a | fold) * 0x9E3779B97F4A7C15ULL) ^ (((b | fold) + n) * 0xC2B2AE3D27D4EB4FULL);
    return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

/* an object of the field tree: keys llmcost reads go to their slots (or inner nodes) */
static int object_read(P *s, const Config *c, Rec *r, int node) {
    if (++s->depth > MAX_DEPTH) return -1;
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == '}') { s->p++; s->depth--; return 0; }
    const Node *nd = &c->nodes[node];
    for (;;) {
        const char *k; uint32_t kl; uint8_t kf;
        if (s->p >= s->end || *s->p != '"' || string(s, &k, &kl, &kf) < 0) return -1;
        if (kf) { r->why = "a key with an escape or a non-ASCII byte"; return -1; }
        int hit = -1;
        uint32_t h = fold_hash(k, kl);
        for (uint32_t b = h;; b++) {
            int i = nd->bucket[b & (NODE_BUCKETS - 1)];
            if (i < 0) break;
            const Entry *e = &c->entries[i];
            if (e->fold != h || e->len != kl) continue;
            uint32_t j = 0;
            while (j < kl && e->key[j] == k[j]) j++;
            if (j == kl) { hit = i; break; }
            while (j < kl && ascii_lower(k[j]) == ascii_lower(e->key[j])) j++;
            if (j == kl) { r->why = "a key llmcost reads, in other case"; return -1; }
        }
        ws(s);
        if (s->p >= s->end || *s->p != ':') return -1;
        s->p++;
        ws(s);
        if (hit < 0) {
            if (value_skip(s) < 0) return -1;
        } else {
            const Entry *e = &c->entries[hit];
            if (r->seen[hit]) { r->why = "a key given twice"; return -1; }
            r->seen[hit] = 1;
            r->marked[r->nmarked++] = (int16_t)hit;
            if (e->child >= 0) {
                if (s->p < s->end && *s->p == '{') {
                    if (object_read(s, c, r, e->child) < 0) return -1;
                } else if (value_skip(s) < 0) { /* not an object: its fields are absent */
                    return -1;
                }
            } else {
                r->set[r->nset++] = (int16_t)e->slot;
                if (value(s, &r->vals[e->slot]) < 0) return -1;
            }
        }
        ws(s);
        if (s->p >= s->end) return -1;
        if (*s->p == ',') { s->p++; ws(s); continue; }
        if (*s->p == '}') { s->p++; s->depth--; return 0; }
        return -1;
    }
}

/* ---------- one record ---------- */

/* a count: 1 present (into *out), 0 absent, -1 not a plain whole number of <= 18 digits */
static int count_of(const Val *v, int canonical, int64_t *out) {
    switch (v->kind) {
    case V_ABSENT: case V_NULL: return 0;
    case V_OBJ: case V_ARR: return canonical ? 0 : -1; /* a Responses body's `output` array */
    case V_NUM: if (!(v->flags & F_PLAIN)) return -1; break;
    case V_STR:
        if (v->flags) return -1;
        if (canonical && v->len && (v->p[0] == '[' || v->p[0] == '{')) return -1;
        break;
    default: return -1;
    }
    if (v->len < 1 || v->len > 18) return -1;
    int64_t n = 0;
    for (uint32_t i = 0; i < v->len; i++) {
        if (!is_digit(v->p[i])) return -1;
        n = n * 10 + (v->p[i] - '0');
    }
    *out = n;
    return 1;
}

static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int num(const char *p, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(p[i])) return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* An instant as microseconds since the epoch: Unix seconds (at most 12 digits, a number or a
 * string), or YYYY-MM-DD[(T|t| )HH:MM:SS[.f{1,6}]][Z|z|+HH:MM|-HH:MM]. Else -1. */
static int64_t instant(const Val *v) {
    if (v->kind != V_NUM && v->kind != V_STR) return -1;
    if (v->kind == V_STR && v->flags) return -1;
    const char *p = v->p;
    uint32_t n = v->len;
    if (v->kind == V_NUM && !(v->flags & F_PLAIN)) return -1;
    int all_digits = n >= 1;
    for (uint32_t i = 0; i < n && all_digits; i++) all_digits = is_digit(p[i]);
    if (all_digits) {
        if (n > 12) return -1;
        int64_t sec = 0;
        for (uint32_t i = 0; i < n; i++) sec = sec * 10 + (p[i] - '0');
        return sec * 1000000;
    }
    if (v->kind != V_STR || n < 10 || p[4] != '-' || p[7] != '-') return -1;
    int y = num(p, 4), mo = num(p + 5, 2), d = num(p + 8, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1) return -1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] + (mo == 2 && leap)) return -1;
    int64_t us = days_from_civil(y, mo, d) * DAY_US;
    uint32_t i = 10;
    if (i < n && (p[i] == 'T' || p[i] == 't' || p[i] == ' ')) {
        /* hh:mm, or hh:mm:ss with up to 9 decimals (DuckDB keeps 6: the rest is cut) */
        if (n < i + 6 || p[i + 3] != ':') return -1;
        int h = num(p + i + 1, 2), mi = num(p + i + 4, 2), sec = 0;
        i += 6;
        if (i < n && p[i] == ':') {
            if (n < i + 3 || (sec = num(p + i + 1, 2)) < 0) return -1;
            i += 3;
            if (i < n && p[i] == '.') {
                i++;
                int64_t f = 0, scale = 1000000;
                uint32_t f0 = i;
                while (i < n && is_digit(p[i])) {
                    if (i - f0 >= 9) return -1;
                    if (i - f0 < 6) { f = f * 10 + (p[i] - '0'); scale /= 10; }
                    i++;
                }
                if (i == f0) return -1;
                us += f * scale;
            }
        }
        if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec > 59) return -1;
        us += ((int64_t)h * 3600 + mi * 60 + sec) * 1000000;
    } else if (i < n) {
        return -1; /* an offset on a bare date: left to DuckDB */
    }
    if (i < n) {
        /* Z, or +HH, +HHMM, +HH:MM within +-18:00 with minutes under 60 (query.TS_OFFSET) */
        uint32_t left = n - i;
        if ((p[i] == 'Z' || p[i] == 'z') && left == 1) {
            i++;
        } else if ((p[i] == '+' || p[i] == '-') && (left == 3 || left == 5 || left == 6)) {
            int oh = num(p + i + 1, 2), om = 0;
            if (left == 5) om = num(p + i + 3, 2);
            if (left == 6) om = p[i + 3] == ':' ? num(p + i + 4, 2) : -1;
            if (oh < 0 || om < 0 || om > 59 || oh > 18 || (oh == 18 && om != 0)) return -1;
            int64_t off = ((int64_t)oh * 3600 + om * 60) * 1000000;
            us += p[i] == '+' ? -off : off;
            i = n;
        } else {
            return -1;
        }
    }
    return us;
}

/* a service tier word the SQL reads as "no tier said" (names.STANDARD_WORDS); any other
 * tier is the SQL's to price or reject: -1 */
static int standard_tier(const Val *v) {
    static const char *words[] = {"standard", "default", "auto", "on_demand", "on-demand"};
    if (v->kind == V_ABSENT || v->kind == V_NULL) return 0;
    if (v->kind != V_STR || (v->flags & 0xFF)) return -1;
    for (int w = 0; w < 5; w++) {
        uint32_t n = (uint32_t)strlen(words[w]);
        if (v->len != n) continue;
        uint32_t j = 0;
        while (j < n && ascii_lower(v->p[j]) == words[w][j]) j++;
        if (j == n) return 0;
    }
    return -1;
}

static int batch_of(const Val *v, int *out) {
    static const char *words[] = {"true", "1", "yes", "false", "0", "no"};
    switch (v->kind) {
    case V_ABSENT: case V_NULL: *out = 0; return 0;
    case V_TRUE: *out = 1; return 0;
    case V_FALSE: *out = 0; return 0;
    case V_NUM: case V_STR:
        if (v->flags & (v->kind == V_STR ? 0xFF : 0)) return -1;
        for (int w = 0; w < 6; w++) {
            uint32_t n = (uint32_t)strlen(words[w]);
            if (v->len != n) continue;
            uint32_t j = 0;
            while (j < n && ascii_lower(v->p[j]) == words[w][j]) j++;
            if (j == n) { *out = w < 3; return 0; }
        }
        return -1;
    default: return -1;
    }
}

#define ABORT(msg) do { r->why = (msg); return -1; } while (0)

/* a record id's 64-bit digest (never 0: 0 marks an empty slot in `repeated`) */
static uint64_t id_digest(const char *p, size_t n) {
    uint64_t h = hash_bytes(p, n) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 32;
    return h ? h : 1;
}

/* whether the SQL would reject the record's counts (shapes.count_issue): a count its shape
 * requires is missing, or counts that must agree do not */
static int counts_disagree(const Config *c, int shape, const int *present, const int64_t *n) {
    for (int q = 0; q < c->nrequired; q++) {
        const Required *R = &c->required[q];
        if (R->shape != shape || present[R->field]) continue;
        int stand_in = R->ninstead > 0;
        for (int j = 0; j < R->ninstead; j++) stand_in &= present[R->instead[j]] > 0;
        if (!stand_in) return 1;
    }
    for (int q = 0; q < c->nagree; q++) {
        const Agree *A = &c->agree[q];
        if (!((A->shapes >> shape) & 1) || !present[A->whole]) continue;
        __int128 sum = 0;
        int all = 1;
        for (int j = 0; j < A->nparts; j++) {
            if (present[A->parts[j]]) sum += n[A->parts[j]];
            else all &= A->zeros;
        }
        if (all && (A->at_least ? (__int128)n[A->whole] < sum : (__int128)n[A->whole] != sum))
            return 1;
    }
    return 0;
}

static inline int is_set(const Val *v) { return v->kind != V_ABSENT && v->kind != V_NULL; }

/* the first field of `l` that is set, or NULL */
static const Val *first_set(const Rec *r, const List *l) {
    for (int i = 0; i < l->n; i++)
        if (is_set(&r->vals[l->at[i]])) return &r->vals[l->at[i]];
    return NULL;
}

/* whether a plain text value is one of a rule's words */
static int word_in(const Val *v, const NotRecord *nr) {
    if (v->kind != V_STR || v->flags) return 0;
    for (int w = 0; w < nr->nwords; w++)
        if (v->len == nr->lens[w] && memcmp(v->p, nr->words[w], v->len) == 0) return 1;
    return 0;
}

/* 1 if the line is not a usage record (rules.NOT_RECORDS) */
static int not_a_record(const Config *c, const Rec *r) {
    int usage = -1;
    for (int q = 0; q < c->nnot; q++) {
        const NotRecord *nr = &c->not_records[q];
        if (!word_in(&r->vals[nr->slot], nr)) continue;
        if (!nr->without_usage) return 1;
        if (usage < 0) {
            usage = 0;
            for (int i = 0; i < c->ncounts && !usage; i++) usage = is_set(&r->vals[c->count_slot[i]]);
        }
        if (!usage) return 1;
    }
    return 0;
}

/* the record's shape (its number), or c->nshapes for none: the first whose fields it has */
static int shape_of(const Config *c, const Rec *r) {
    for (int s = 0; s < c->nshapes; s++) {
        const List *d = &c->shapes[s].detect;
        for (int i = 0; i < d->n; i++) {
            const Val *v = &r->vals[d->at[i]];
            int count = c->slots[d->at[i]].count;
            if (is_set(v) && !(count >= 0 && c->lenient[count] && (v->kind == V_OBJ || v->kind == V_ARR)))
                return s;
        }
    }
    return c->nshapes;
}

/* the digest of the record's id into res->ids (the SQL's `shapes.id_text`); -1 to abort */
static int record_id(const Shape *S, Rec *r, Result *res) {
    char buf[512];
    size_t n = 0;
    int found = 0;
    for (int a = 0; a < S->nids && !found; a++) {
        const List *l = &S->ids[a];
        int all = 1;
        for (int i = 0; i < l->n; i++) all &= is_set(&r->vals[l->at[i]]);
        if (!all) continue;
        found = 1;
        for (int i = 0; i < l->n; i++) {
            const Val *v = &r->vals[l->at[i]];
            if (!((v->kind == V_STR && !v->flags) || (v->kind == V_NUM && (v->flags & F_PLAIN))))
                ABORT("an id the scanner does not read");
            if (n + v->len + 1 > sizeof buf) ABORT("an id the scanner does not read");
            if (i) buf[n++] = 31;
            memcpy(buf + n, v->p, v->len);
            n += v->len;
        }
    }
    if (!found || n == 0) return 0; /* "": no id, as in the SQL (not the next field's) */
    if (res->nids == res->ids_cap) {
        size_t cap = res->ids_cap ? 2 * res->ids_cap : 4096;
        uint64_t *ids = realloc(res->ids, cap * sizeof(uint64_t));
        if (!ids) { res->nomem = 1; ABORT("out of memory"); }
        res->ids = ids; res->ids_cap = cap;
    }
    res->ids[res->nids++] = id_digest(buf, n);
    return 0;
}

/* a canonical count by its formula (rules.Count); -1 past 2**62 */
static int formula(const Formula *f, const int *present, const int64_t *n, int64_t *out) {
    __int128 total = 0;
    for (int t = 0; t < f->nterms; t++) {
        const Term *T = &f->terms[t];
        const List *alt = &T->alts[T->nalts - 1];
        for (int a = 0; a < T->nalts - 1; a++)
            if (present[T->alts[a].at[0]]) { alt = &T->alts[a]; break; }
        __int128 sum = 0;
        for (int i = 0; i < alt->n; i++) sum += n[alt->at[i]];
        total += T->sign * sum;
    }
    if (total > ((__int128)1 << 62) || total < -((__int128)1 << 62)) return -1;
    *out = (int64_t)total;
    return 0;
}

/* price one parsed record into `res`; -1 (with r->why) if the SQL would not price or skip it
 * exactly so, -2 for a name to ask about, 1 for a line that is not a record */
static int record(const Config *c, Rec *r, Result *res, size_t line_len) {
    if (not_a_record(c, r)) return 1;
    int shape = shape_of(c, r);
    const Shape *sh = &c->shapes[shape];
    /* the id, of every record (one outside --since/--until too: a copy of it may be inside) */
    if (record_id(sh, r, res) < 0) return -1;
    const Val *ts = first_set(r, &sh->ts);
    int64_t us;
    if (ts) us = instant(ts);
    else if (c->has_at) us = c->at;
    else ABORT("no timestamp");
    if (us < 0 || us >= US_UNTIL) ABORT("an instant the scanner does not read");
    if ((c->has_since && us < c->since) || (c->has_until && us >= c->until)) {
        res->skipped++; /* whatever else it holds, as in the SQL (a line of strict JSON) */
        return 0;
    }
    if (shape == c->nshapes) ABORT("no usage");
    int64_t n[MAX_COUNTS];
    int present[MAX_COUNTS];
    memset(present, 0, sizeof(int) * (size_t)c->ncounts);
    memset(n, 0, sizeof(int64_t) * (size_t)c->ncounts);
    int canonical = 0, provider = 0;
    for (int j = 0; j < r->nset; j++) { /* only the fields this record has */
        int slot = r->set[j], i = c->slots[slot].count;
        if (i < 0) continue;
        present[i] = count_of(&r->vals[slot], c->lenient[i], &n[i]);
        if (present[i] < 0) ABORT("a count that is not a plain whole number");
        if (!present[i]) n[i] = 0;
        if (c->lenient[i]) canonical |= present[i];
        else provider |= present[i];
    }
    for (int i = 0; i < sh->tier.n; i++)
        if (standard_tier(&r->vals[sh->tier.at[i]]) < 0)
            ABORT("a service tier the scanner leaves to the SQL");
    const Val *model = first_set(r, &sh->model);
    if (!model) ABORT("no model");
    if (model->kind != V_STR) ABORT("a model name that is not text");
    int is_batch = 0;
    if (sh->always_batch) is_batch = 1;
    else if (sh->batch >= 0 && batch_of(&r->vals[sh->batch], &is_batch) < 0)
        ABORT("a batch flag the scanner does not read");
    if (canonical && provider) ABORT("ambiguous counts");
    if (counts_disagree(c, shape, present, n)) ABORT("a count missing, or counts that disagree");

    int64_t sums[5];
    for (int k = 0; k < 5; k++)
        if (formula(&sh->counts[k], present, n, &sums[k]) < 0) ABORT("a count past 2**62");
    int64_t in = sums[0], cached = sums[1], cw = sums[2], cw1h = sums[3], out = sums[4];
    if (cw < 0 || cw1h < 0 || cached < 0 || out < 0 || cached + cw + cw1h > in)
        ABORT("cache counts past the prompt");

    const char *name = model->p;
    uint32_t name_len = model->len;
    if (model->flags & F_ESC) { /* `acme\/alpha-pro`, as PHP writes it */
        if (model->len > res->name_cap) {
            char *b = realloc(res->name, model->len);
            if (!b) { res->nomem = 1; ABORT("out of memory"); }
            res->name = b; res->name_cap = model->len;
        }
        long decoded = unescape(model->p, model->len, res->name);
        if (decoded < 0) ABORT("a model name with a NUL");
        name = res->name;
        name_len = (uint32_t)decoded;
    }
    int found;
    int model_no = name_lookup(c, name, name_len, &found);
    if (!found) { /* asked of the SQL by the caller, then the chunk is scanned again */
        for (int i = 0; i < res->nunknown; i++)
            if (res->unknown_n[i] == name_len
                && memcmp(res->arena + res->unknown_off[i], name, name_len) == 0) return -2;
        if (res->nunknown >= MAX_UNKNOWN) ABORT("too many names to ask about");
        if (arena_put(res, name, name_len, &res->unknown_off[res->nunknown]) < 0) {
            res->nomem = 1;
            ABORT("out of memory");
        }
        res->unknown_n[res->nunknown++] = name_len;
        return -2;
    }
    if (model_no < 0) ABORT("an unknown model");
    if (in > c->context_window[model_no] || out > c->max_output[model_no])
        ABORT("a prompt past the context window, or an output past the max output");
    int idx = 0;
    for (int b = 0; b < c->nbounds[model_no]; b++) idx += us >= c->bounds[model_no][b];
    int st = c->stretch_of[model_no][idx];
    if (st < 0) ABORT("no price at the instant");
    const Stretch *S = &c->stretches[st];
    if (is_batch && !S->batch_ok) ABORT("no batch price");
    int64_t tod = us % DAY_US, day = us / DAY_US;
    int piece = 0, band = 0;
    for (int i = 0; i < S->ncuts; i++) piece += tod >= S->cuts[i];
    for (int i = 0; i < S->nthr; i++) band += in > S->thr[i];
    int64_t pid = S->base + (((day + 3) % 7) * S->day_mult + piece) * S->bands + band;

    /* the group's key: pid, batch, day, shape, then each group field (tag, length, text) */
    if (key_room(res, 18 + line_len + 5 * (size_t)c->nslots) < 0) {
        res->nomem = 1;
        ABORT("out of memory");
    }
    char *key = res->key;
    size_t k = 0;
    memcpy(key + k, &pid, 8); k += 8;
    key[k++] = (char)is_batch;
    if (c->by_day) {
        int64_t bucket = us / c->day_us;
        memcpy(key + k, &bucket, 8);
        k += 8;
    }
    if (c->by_shape) key[k++] = (char)shape;
    for (int g = 0; g < c->ngroups; g++) {
        const Val *v = &r->vals[c->group_slot[g]];
        char tag;
        if (v->kind == V_ABSENT || v->kind == V_NULL) tag = 0;
        else if (v->kind == V_STR) tag = 1;
        else if (v->kind == V_NUM && (v->flags & F_PLAIN) && v->len <= 18) tag = 1;
        else if (v->kind == V_TRUE) tag = 2;
        else if (v->kind == V_FALSE) tag = 3;
        else ABORT("a group value that is not plain text");
        key[k++] = tag;
        if (tag == 1) {
            long len = v->len;
            if (v->kind == V_STR && (v->flags & F_ESC))
                len = unescape(v->p, v->len, key + k + 4);
            else
                memcpy(key + k + 4, v->p, v->len);
            if (len < 0) ABORT("a group value with a NUL");
            uint32_t n32 = (uint32_t)len;
            memcpy(key + k, &n32, 4);
            k += 4 + (size_t)len;
        }
    }
    Group *grp = group_for(res, key, (uint32_t)k);
    if (!grp) { res->nomem = 1; ABORT("out of memory"); }
    int64_t add[5] = {in, cached, cw, cw1h, out};
    grp->records++;
    for (int i = 0; i < 5; i++)
        if (__builtin_add_overflow(grp->sums[i], add[i], &grp->sums[i]))
            ABORT("a sum past 64 bits");
    return 0;
}

/* ---------- the scan over a buffer of lines ---------- */

static int scan_lines(const Config *c, const char *buf, Py_ssize_t len, Result *res) {
    Rec *r = calloc(1, sizeof(Rec));
    if (!r) { res->nomem = 1; res->abort_reason = "out of memory"; return -1; }
    const char *p = buf, *end = buf + len;
    int rc = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl ? nl : end;
        if (line_end - p > MAX_LINE) {
            res->abort_reason = "a line longer than 16 MiB";
            res->abort_at = p - buf;
            rc = -1;
            break;
        }
        P s = {p, line_end, 0};
        ws(&s);
        if (s.p < line_end) {
            for (int i = 0; i < r->nset; i++) r->vals[r->set[i]].kind = V_ABSENT;
            for (int i = 0; i < r->nmarked; i++) r->seen[r->marked[i]] = 0;
            r->nset = r->nmarked = 0;
            r->why = NULL;
            int ok = s.p < line_end && *s.p == '{' && object_read(&s, c, r, 0) == 0;
            if (ok) { ws(&s); ok = s.p == line_end; }
            int got = ok ? record(c, r, res, (size_t)(line_end - p)) : -1;
            if (got == -1) {
                res->abort_reason = r->why ? r->why : "a line that is not a strict JSON object";
                res->abort_at = p - buf;
                rc = -1;
                break;
            }
            if (got != 1) res->records++;
        }
        p = nl ? nl + 1 : end;
    }
    free(r);
    return rc;
}

/* ---------- the Python side ---------- */

static void config_free(Config *c) {
    if (!c) return;
    for (int i = 0; i < c->nentries; i++) free((char *)c->entries[i].key);
    free(c->entries); free(c->nodes); free(c->slots);
    if (c->names) for (uint32_t i = 0; i <= c->names_mask; i++) free(c->names[i].key);
    free(c->names);
    for (int m = 0; m < c->nmodels; m++) {
        if (c->bounds) free(c->bounds[m]);
        if (c->stretch_of) free(c->stretch_of[m]);
    }
    free(c->bounds); free(c->nbounds); free(c->stretch_of);
    for (int i = 0; c->stretches && i < c->nstretches; i++) {
        free(c->stretches[i].cuts);
        free(c->stretches[i].thr);
    }
    free(c->stretches);
    free(c->required); free(c->agree); free(c->context_window); free(c->max_output);
    for (int q = 0; q < c->nnot; q++)
        for (int w = 0; w < c->not_records[q].nwords; w++) free(c->not_records[q].words[w]);
    free(c);
}

static void capsule_free(PyObject *cap) {
    config_free(PyCapsule_GetPointer(cap, "llmcost.scan.config"));
}

static int64_t *int64s(PyObject *seq, int *n) {
    PyObject *fast = PySequence_Fast(seq, "a sequence of ints");
    if (!fast) return NULL;
    Py_ssize_t len = PySequence_Fast_GET_SIZE(fast);
    int64_t *out = malloc(sizeof(int64_t) * (size_t)(len ? len : 1));
    for (Py_ssize_t i = 0; out && i < len; i++) {
        out[i] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(fast, i));
        if (out[i] == -1 && PyErr_Occurred()) { free(out); out = NULL; }
    }
    Py_DECREF(fast);
    *n = (int)len;
    if (!out && !PyErr_Occurred()) PyErr_NoMemory();
    return out;
}

/* A list of at most `most` ints in [0, limit) into `out`; their number, -1 on error. */
static int ints_of(PyObject *list, int *out, int most, int limit) {
    if (!PyList_Check(list) || PyList_GET_SIZE(list) > most) {
        PyErr_SetString(PyExc_ValueError, "a list too long for the scanner");
        return -1;
    }
    int n = (int)PyList_GET_SIZE(list);
    for (int i = 0; i < n; i++) {
        long v = PyLong_AsLong(PyList_GET_ITEM(list, i));
        if (v == -1 && PyErr_Occurred()) return -1;
        if (v < 0 || v >= limit) {
            PyErr_SetString(PyExc_ValueError, "a position out of range");
            return -1;
        }
        out[i] = (int)v;
    }
    return n;
}

static int parts_of(PyObject *list, int *out, int ncounts) {
    return ints_of(list, out, MAX_PARTS, ncounts);
}

static int list_of(PyObject *list, List *l, int limit) {
    return (l->n = ints_of(list, l->at, MAX_LIST, limit)) < 0 ? -1 : 0;
}

/* a formula: [(sign, [[count, ...], ...]), ...] */
static int formula_of(PyObject *terms, Formula *f, int ncounts) {
    if (!PyList_Check(terms) || PyList_GET_SIZE(terms) > MAX_TERMS) {
        PyErr_SetString(PyExc_ValueError, "a count of too many terms");
        return -1;
    }
    f->nterms = (int)PyList_GET_SIZE(terms);
    for (int t = 0; t < f->nterms; t++) {
        Term *T = &f->terms[t];
        PyObject *alts;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(terms, t), "iO!", &T->sign, &PyList_Type, &alts))
            return -1;
        T->nalts = (int)PyList_GET_SIZE(alts);
        if (T->nalts < 1 || T->nalts > MAX_ALTS) {
            PyErr_SetString(PyExc_ValueError, "a term of too many alternatives");
            return -1;
        }
        for (int a = 0; a < T->nalts; a++)
            if (list_of(PyList_GET_ITEM(alts, a), &T->alts[a], ncounts) < 0) return -1;
    }
    return 0;
}

/* a shape: (detect, model, instant, tier, ids, batch slot or -1, always batch, formulas) */
static int shape_of_py(PyObject *t, Shape *S, int nslots, int ncounts) {
    PyObject *detect, *model, *ts, *tier, *ids, *counts;
    if (!PyArg_ParseTuple(t, "O!O!O!O!O!ipO!", &PyList_Type, &detect, &PyList_Type, &model,
                          &PyList_Type, &ts, &PyList_Type, &tier, &PyList_Type, &ids,
                          &S->batch, &S->always_batch, &PyList_Type, &counts))
        return -1;
    if (list_of(detect, &S->detect, nslots) < 0 || list_of(model, &S->model, nslots) < 0
        || list_of(ts, &S->ts, nslots) < 0 || list_of(tier, &S->tier, nslots) < 0)
        return -1;
    S->nids = (int)PyList_GET_SIZE(ids);
    if (S->nids > MAX_ALTS || S->batch >= nslots || PyList_GET_SIZE(counts) != 5) {
        PyErr_SetString(PyExc_ValueError, "a bad shape");
        return -1;
    }
    for (int a = 0; a < S->nids; a++)
        if (list_of(PyList_GET_ITEM(ids, a), &S->ids[a], nslots) < 0) return -1;
    for (int k = 0; k < 5; k++)
        if (formula_of(PyList_GET_ITEM(counts, k), &S->counts[k], ncounts) < 0) return -1;
    return 0;
}

/* the rules: (shapes, lenient counts, not-records [(slot, [words], without usage)]) */
static int rules_of(PyObject *rules, Config *c) {
    PyObject *shapes, *lenient, *nots;
    if (!PyArg_ParseTuple(rules, "O!O!O!", &PyList_Type, &shapes, &PyList_Type, &lenient,
                          &PyList_Type, &nots))
        return -1;
    c->nshapes = (int)PyList_GET_SIZE(shapes) - 1; /* the last: no shape */
    if (c->nshapes < 0 || c->nshapes > MAX_SHAPES || PyList_GET_SIZE(lenient) != c->ncounts
        || PyList_GET_SIZE(nots) > MAX_NOT) {
        PyErr_SetString(PyExc_ValueError, "bad rules");
        return -1;
    }
    for (int s = 0; s <= c->nshapes; s++)
        if (shape_of_py(PyList_GET_ITEM(shapes, s), &c->shapes[s], c->nslots, c->ncounts) < 0)
            return -1;
    for (int i = 0; i < c->ncounts; i++) c->lenient[i] = PyObject_IsTrue(PyList_GET_ITEM(lenient, i));
    c->nnot = (int)PyList_GET_SIZE(nots);
    for (int q = 0; q < c->nnot; q++) {
        NotRecord *nr = &c->not_records[q];
        PyObject *words;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(nots, q), "iO!p", &nr->slot, &PyList_Type, &words,
                              &nr->without_usage))
            return -1;
        if (nr->slot < 0 || nr->slot >= c->nslots || PyList_GET_SIZE(words) > MAX_WORDS) {
            PyErr_SetString(PyExc_ValueError, "a bad not-record rule");
            return -1;
        }
        for (int w = 0; w < PyList_GET_SIZE(words); w++) {
            PyObject *word = PyList_GET_ITEM(words, w);
            if (!PyBytes_Check(word)) { PyErr_SetString(PyExc_TypeError, "words are bytes"); return -1; }
            nr->lens[w] = (uint32_t)PyBytes_GET_SIZE(word);
            nr->words[w] = malloc(nr->lens[w] + 1);
            if (!nr->words[w]) { PyErr_NoMemory(); return -1; }
            memcpy(nr->words[w], PyBytes_AS_STRING(word), nr->lens[w] + 1);
            nr->nwords = w + 1;
        }
    }
    return 0;
}

/* config(nodes, slots, names, bounds, stretch_of, stretches, since, until, day_s, by_shape,
 *        required, agree, limits, rules, groups, at)
 * nodes: [[(key: bytes, child: int, slot: int), ...], ...] (node 0: the record);
 * slots: [count index or -1 per slot]; names: {bytes: model_no or -1}; bounds: [[us, ...]] per model;
 * stretch_of: [[stretch or -1 per index 0..len(bounds)]] per model; stretches:
 * [(base, batch_ok, bands, day_mult, cuts, thresholds)]; since/until: us or None. A count's
 * slot is its position in shapes.COUNT_FIELDS: each position once; rules: `rules_of`; groups:
 * the slot of each group field; at: the instant (us) of a record without one, or None. required:
 * [(shape, count, [counts that stand in])]; agree: [(shape bit mask, whole, at_least,
 * [parts], absent parts are 0)]; limits: [(context window, max output)] per model. */
static PyObject *py_config(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *nodes, *slots, *names, *bounds, *stretch_of, *stretches, *since, *until;
    PyObject *required, *agree, *limits, *rules, *groups, *at;
    long long day_s;
    int by_shape;
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!O!OOLpO!O!O!O!O!O", &PyList_Type, &nodes, &PyList_Type,
                          &slots, &PyDict_Type, &names, &PyList_Type, &bounds, &PyList_Type,
                          &stretch_of, &PyList_Type, &stretches, &since, &until, &day_s,
                          &by_shape, &PyList_Type, &required, &PyList_Type, &agree,
                          &PyList_Type, &limits, &PyTuple_Type, &rules, &PyList_Type, &groups,
                          &at))
        return NULL;
    Config *c = calloc(1, sizeof(Config));
    if (!c) return PyErr_NoMemory();
    c->nnodes = (int)PyList_GET_SIZE(nodes);
    c->nslots = (int)PyList_GET_SIZE(slots);
    if (c->nslots > 256 || c->nnodes < 1) {
        PyErr_SetString(PyExc_ValueError, "too many fields for the scanner");
        goto fail;
    }
    c->nodes = calloc((size_t)c->nnodes, sizeof(Node));
    int total = 0;
    for (int i = 0; i < c->nnodes; i++) {
        if (!PyList_Check(PyList_GET_ITEM(nodes, i))) {
            PyErr_SetString(PyExc_TypeError, "each node is a list");
            goto fail;
        }
        total += (int)PyList_GET_SIZE(PyList_GET_ITEM(nodes, i));
    }
    if (total > 1024) { PyErr_SetString(PyExc_ValueError, "too many keys"); goto fail; }
    c->entries = calloc((size_t)(total ? total : 1), sizeof(Entry));
    c->slots = calloc((size_t)(c->nslots ? c->nslots : 1), sizeof(Slot));
    if (!c->nodes || !c->entries || !c->slots) { PyErr_NoMemory(); goto fail; }
    int e = 0;
    for (int i = 0; i < c->nnodes; i++) {
        PyObject *list = PyList_GET_ITEM(nodes, i);
        c->nodes[i].first = e;
        c->nodes[i].count = (int)PyList_GET_SIZE(list);
        for (Py_ssize_t j = 0; j < PyList_GET_SIZE(list); j++, e++) {
            PyObject *key; int child, slot;
            if (!PyArg_ParseTuple(PyList_GET_ITEM(list, j), "Sii", &key, &child, &slot)) goto fail;
            Py_ssize_t kl = PyBytes_GET_SIZE(key);
            char *k = malloc((size_t)kl + 1);
            if (!k) { PyErr_NoMemory(); goto fail; }
            memcpy(k, PyBytes_AS_STRING(key), (size_t)kl + 1);
            c->entries[e] = (Entry){k, (uint32_t)kl, child, slot, fold_hash(k, (uint32_t)kl)};
            c->nentries = e + 1;
            if (child >= c->nnodes || slot >= c->nslots || (child < 0) == (slot < 0)) {
                PyErr_SetString(PyExc_ValueError, "a bad field tree");
                goto fail;
            }
        }
    }
    for (int i = 0; i < c->nnodes; i++) {
        Node *nd = &c->nodes[i];
        if (nd->count > MAX_KEYS) {
            PyErr_SetString(PyExc_ValueError, "too many keys in one object");
            goto fail;
        }
        for (int b = 0; b < NODE_BUCKETS; b++) nd->bucket[b] = -1;
        for (int j = nd->first; j < nd->first + nd->count; j++) {
            uint32_t b = c->entries[j].fold;
            while (nd->bucket[b & (NODE_BUCKETS - 1)] >= 0) b++;
            nd->bucket[b & (NODE_BUCKETS - 1)] = (int16_t)j;
        }
    }
    int twice = 0;
    uint8_t counted[MAX_COUNTS] = {0};
    for (int i = 0; i < c->nslots; i++) {
        long count = PyLong_AsLong(PyList_GET_ITEM(slots, i));
        if (count == -1 && PyErr_Occurred()) goto fail;
        if (count < -1 || count >= MAX_COUNTS) {
            PyErr_SetString(PyExc_ValueError, "too many count fields for the scanner");
            goto fail;
        }
        c->slots[i] = (Slot){(int)count};
        if (count < 0) continue;
        twice |= counted[count]++;
        c->count_slot[count] = i;
        if (count >= c->ncounts) c->ncounts = (int)count + 1;
    }
    for (int i = 0; i < c->ncounts; i++) twice |= !counted[i];
    if (twice) { /* each count field once, as shapes.COUNT_FIELDS */
        PyErr_SetString(PyExc_ValueError, "count fields do not match the scanner");
        goto fail;
    }
    if ((c->ngroups = ints_of(groups, c->group_slot, 64, c->nslots)) < 0) goto fail;
    if (rules_of(rules, c) < 0) goto fail;
    if (at != Py_None) {
        c->has_at = 1;
        c->at = PyLong_AsLongLong(at);
        if (PyErr_Occurred()) goto fail;
    }
    /* names: open addressing at most half full */
    uint32_t cap = 16;
    while (cap < 2 * (uint32_t)PyDict_GET_SIZE(names) + 2) cap *= 2;
    c->names = calloc(cap, sizeof(NameSlot));
    if (!c->names) { PyErr_NoMemory(); goto fail; }
    c->names_mask = cap - 1;
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(names, &pos, &k, &v)) {
        if (!PyBytes_Check(k)) { PyErr_SetString(PyExc_TypeError, "names are bytes"); goto fail; }
        Py_ssize_t n = PyBytes_GET_SIZE(k);
        uint32_t i = (uint32_t)hash_bytes(PyBytes_AS_STRING(k), (size_t)n) & c->names_mask;
        while (c->names[i].key) i = (i + 1) & c->names_mask;
        c->names[i].key = malloc((size_t)n + 1);
        if (!c->names[i].key) { PyErr_NoMemory(); goto fail; }
        memcpy(c->names[i].key, PyBytes_AS_STRING(k), (size_t)n);
        c->names[i].len = (uint32_t)n;
        c->names[i].value = (int)PyLong_AsLong(v);
        if (PyErr_Occurred()) goto fail;
        if (c->names[i].value < -1 || c->names[i].value >= PyList_GET_SIZE(bounds)) {
            PyErr_SetString(PyExc_ValueError, "a model number out of range");
            goto fail;
        }
    }
    c->nmodels = (int)PyList_GET_SIZE(bounds);
    if (PyList_GET_SIZE(stretch_of) != c->nmodels) {
        PyErr_SetString(PyExc_ValueError, "bounds and stretch_of differ");
        goto fail;
    }
    c->bounds = calloc((size_t)(c->nmodels ? c->nmodels : 1), sizeof(int64_t *));
    c->nbounds = calloc((size_t)(c->nmodels ? c->nmodels : 1), sizeof(int));
    c->stretch_of = calloc((size_t)(c->nmodels ? c->nmodels : 1), sizeof(int *));
    if (!c->bounds || !c->nbounds || !c->stretch_of) { PyErr_NoMemory(); goto fail; }
    c->stretches = calloc((size_t)(PyList_GET_SIZE(stretches) ? PyList_GET_SIZE(stretches) : 1),
                          sizeof(Stretch));
    if (!c->stretches) { PyErr_NoMemory(); goto fail; }
    c->nstretches = (int)PyList_GET_SIZE(stretches);
    for (int m = 0; m < c->nmodels; m++) {
        if (!(c->bounds[m] = int64s(PyList_GET_ITEM(bounds, m), &c->nbounds[m]))) goto fail;
        int ns;
        int64_t *so = int64s(PyList_GET_ITEM(stretch_of, m), &ns);
        if (!so) goto fail;
        if (ns != c->nbounds[m] + 1) {
            free(so);
            PyErr_SetString(PyExc_ValueError, "stretch_of needs one more than bounds");
            goto fail;
        }
        c->stretch_of[m] = malloc(sizeof(int) * (size_t)ns);
        if (!c->stretch_of[m]) { free(so); PyErr_NoMemory(); goto fail; }
        for (int i = 0; i < ns; i++) {
            if (so[i] >= c->nstretches) {
                free(so);
                PyErr_SetString(PyExc_ValueError, "a bad stretch");
                goto fail;
            }
            c->stretch_of[m][i] = (int)so[i];
        }
        free(so);
    }
    for (int i = 0; i < c->nstretches; i++) {
        Stretch *S = &c->stretches[i];
        long long base;
        PyObject *cuts, *thr;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(stretches, i), "LpiiOO", &base, &S->batch_ok,
                              &S->bands, &S->day_mult, &cuts, &thr)) goto fail;
        S->base = base;
        if (!(S->cuts = int64s(cuts, &S->ncuts)) || !(S->thr = int64s(thr, &S->nthr))) goto fail;
        if (S->bands != S->nthr + 1) {
            PyErr_SetString(PyExc_ValueError, "bands must be thresholds + 1");
            goto fail;
        }
    }
    if (since != Py_None) {
        c->has_since = 1;
        c->since = PyLong_AsLongLong(since);
    }
    if (until != Py_None) {
        c->has_until = 1;
        c->until = PyLong_AsLongLong(until);
    }
    if (PyErr_Occurred()) goto fail;
    c->nrequired = (int)PyList_GET_SIZE(required);
    c->nagree = (int)PyList_GET_SIZE(agree);
    c->required = calloc((size_t)c->nrequired + 1, sizeof(Required));
    c->agree = calloc((size_t)c->nagree + 1, sizeof(Agree));
    c->context_window = calloc((size_t)c->nmodels + 1, sizeof(int64_t));
    c->max_output = calloc((size_t)c->nmodels + 1, sizeof(int64_t));
    if (!c->required || !c->agree || !c->context_window || !c->max_output) {
        PyErr_NoMemory();
        goto fail;
    }
    for (int i = 0; i < c->nrequired; i++) {
        Required *R = &c->required[i];
        PyObject *instead;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(required, i), "iiO", &R->shape, &R->field,
                              &instead)) goto fail;
        if ((R->ninstead = parts_of(instead, R->instead, c->ncounts)) < 0) goto fail;
        if (R->field < 0 || R->field >= c->ncounts) {
            PyErr_SetString(PyExc_ValueError, "a count position out of range");
            goto fail;
        }
    }
    for (int i = 0; i < c->nagree; i++) {
        Agree *A = &c->agree[i];
        PyObject *parts;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(agree, i), "iipOp", &A->shapes, &A->whole,
                              &A->at_least, &parts, &A->zeros)) goto fail;
        if ((A->nparts = parts_of(parts, A->parts, c->ncounts)) < 0) goto fail;
        if (A->whole < 0 || A->whole >= c->ncounts) {
            PyErr_SetString(PyExc_ValueError, "a count position out of range");
            goto fail;
        }
    }
    if (PyList_GET_SIZE(limits) != c->nmodels) {
        PyErr_SetString(PyExc_ValueError, "limits: one (context window, max output) a model");
        goto fail;
    }
    for (int m = 0; m < c->nmodels; m++) {
        long long window, most;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(limits, m), "LL", &window, &most)) goto fail;
        c->context_window[m] = window;
        c->max_output[m] = most;
    }
    if (day_s < 0 || day_s > 86400) {
        PyErr_SetString(PyExc_ValueError, "day bucket: 0 to 86400 seconds");
        goto fail;
    }
    c->by_day = day_s > 0;
    c->day_us = day_s * 1000000LL;
    c->by_shape = by_shape;
    PyObject *cap_obj = PyCapsule_New(c, "llmcost.scan.config", capsule_free);
    if (!cap_obj) goto fail;
    return cap_obj;
fail:
    config_free(c);
    return NULL;
}

static PyObject *text(const char *p, uint32_t n) { return PyUnicode_DecodeUTF8(p, n, "strict"); }

/* scan(config, buffer) -> (records, skipped, groups, unknown_names, abort) where groups is
 * [(pid, is_batch, day or None, shape or None, (group values), records, input, cached,
 * cache_write, cache_write_1h, output)], unknown_names a list of str (the chunk is not priced
 * when any), abort None or (reason, byte offset of the line). */
static PyObject *py_scan(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *cap;
    Py_buffer view;
    if (!PyArg_ParseTuple(args, "Oy*", &cap, &view)) return NULL;
    Config *c = PyCapsule_GetPointer(cap, "llmcost.scan.config");
    if (!c) { PyBuffer_Release(&view); return NULL; }
    Result *res = calloc(1, sizeof(Result)); /* ~48 KB: not on a worker thread's stack */
    if (!res) { PyBuffer_Release(&view); return PyErr_NoMemory(); }
    res->abort_at = -1;
    Py_BEGIN_ALLOW_THREADS
    scan_lines(c, view.buf, view.len, res);
    Py_END_ALLOW_THREADS
    PyObject *out = NULL, *groups = NULL, *unknown = NULL, *abort = NULL;
    if (res->nomem) { PyErr_NoMemory(); goto done; }
    groups = PyList_New(0);
    unknown = PyList_New(0);
    if (!groups || !unknown) goto done;
    for (int i = 0; i < res->nunknown; i++) {
        PyObject *s = text(res->arena + res->unknown_off[i], res->unknown_n[i]);
        if (!s || PyList_Append(unknown, s) < 0) { Py_XDECREF(s); goto done; }
        Py_DECREF(s);
    }
    if (res->abort_reason) {
        abort = Py_BuildValue("(sn)", res->abort_reason, res->abort_at);
        if (!abort) goto done;
    } else {
        abort = Py_None;
        Py_INCREF(abort);
    }
    if (!res->abort_reason && !res->nunknown) {
        for (uint32_t i = 0; i < res->cap; i++) {
            Group *g = &res->groups[i];
            if (!g->used) continue;
            const char *k = res->arena + g->off, *kend = k + g->len;
            int64_t pid, day = 0;
            memcpy(&pid, k, 8); k += 8;
            int is_batch = *k++;
            if (c->by_day) { memcpy(&day, k, 8); k += 8; }
            int shape = c->by_shape ? *k++ : -1;
            PyObject *vals = PyList_New(0);
            if (!vals) goto done;
            while (k < kend) {
                char tag = *k++;
                PyObject *v;
                if (tag == 1) {
                    uint32_t len;
                    memcpy(&len, k, 4); k += 4;
                    v = text(k, len);
                    k += len;
                } else if (tag == 2) {
                    v = PyUnicode_FromString("true");
                } else if (tag == 3) {
                    v = PyUnicode_FromString("false");
                } else {
                    v = Py_None; Py_INCREF(v);
                }
                if (!v || PyList_Append(vals, v) < 0) { Py_XDECREF(v); Py_DECREF(vals); goto done; }
                Py_DECREF(v);
            }
            PyObject *tuple = PyList_AsTuple(vals);
            Py_DECREF(vals);
            if (!tuple) goto done;
            PyObject *day_obj = c->by_day ? PyLong_FromLongLong(day) : Py_NewRef(Py_None);
            PyObject *shape_obj = shape >= 0 ? PyLong_FromLong(shape) : Py_NewRef(Py_None);
            if (!day_obj || !shape_obj) {
                Py_XDECREF(day_obj); Py_XDECREF(shape_obj); Py_DECREF(tuple);
                goto done;
            }
            PyObject *row = Py_BuildValue(
                "(LONNNLLLLLL)", (long long)pid, is_batch ? Py_True : Py_False, day_obj,
                shape_obj, tuple, (long long)g->records, (long long)g->sums[0], (long long)g->sums[1],
                (long long)g->sums[2], (long long)g->sums[3], (long long)g->sums[4]);
            if (!row || PyList_Append(groups, row) < 0) { Py_XDECREF(row); goto done; }
            Py_DECREF(row);
        }
    }
    PyObject *ids = PyBytes_FromStringAndSize((const char *)res->ids,
                                              (Py_ssize_t)(res->nids * sizeof(uint64_t)));
    if (!ids) goto done;
    out = Py_BuildValue("(LLOOON)", (long long)res->records, (long long)res->skipped, groups,
                        unknown, abort, ids);
done:
    Py_XDECREF(groups);
    Py_XDECREF(unknown);
    Py_XDECREF(abort);
    free(res->groups);
    free(res->arena);
    free(res->key);
    free(res->name);
    free(res->ids);
    free(res);
    PyBuffer_Release(&view);
    return out;
}

/* digests(texts) -> the ids' digests as the scanner takes them (8 bytes each, native order):
 * for ids read by DuckDB, so that one set holds the ids of every reader */
static PyObject *py_digests(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *texts;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &texts)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(texts);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(uint64_t));
    if (!out) return NULL;
    uint64_t *d = (uint64_t *)PyBytes_AS_STRING(out);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t len;
        const char *p = PyUnicode_AsUTF8AndSize(PyList_GET_ITEM(texts, i), &len);
        if (!p) { Py_DECREF(out); return NULL; }
        d[i] = id_digest(p, (size_t)len);
    }
    return out;
}

/* repeated(digests) -> each digest seen before in `digests` (8 bytes each), once per repeat:
 * an open-addressing set, so a million ids cost a few tens of milliseconds */
static PyObject *py_repeated(PyObject *Py_UNUSED(self), PyObject *args) {
    Py_buffer view;
    if (!PyArg_ParseTuple(args, "y*", &view)) return NULL;
    size_t n = (size_t)view.len / sizeof(uint64_t), cap = 16;
    while (cap < 2 * n) cap *= 2;
    uint64_t *table = calloc(cap, sizeof(uint64_t)), *seen = malloc((n + 1) * sizeof(uint64_t));
    if (!table || !seen) {
        free(table); free(seen); PyBuffer_Release(&view);
        return PyErr_NoMemory();
    }
    size_t nseen = 0;
    const uint64_t *d = view.buf;
    Py_BEGIN_ALLOW_THREADS
    for (size_t i = 0; i < n; i++) {
        uint64_t h = d[i] ? d[i] : 1;
        size_t at = (size_t)(h ^ (h >> 29)) & (cap - 1);
        while (table[at] && table[at] != h) at = (at + 1) & (cap - 1);
        if (table[at]) seen[nseen++] = h;
        else table[at] = h;
    }
    Py_END_ALLOW_THREADS
    PyObject *out = PyBytes_FromStringAndSize((const char *)seen,
                                              (Py_ssize_t)(nseen * sizeof(uint64_t)));
    free(table); free(seen); PyBuffer_Release(&view);
    return out;
}

/* instant(text, is_number) -> microseconds or None: the scanner's reading of an instant's
 * text (for the tests, which hold it against DuckDB's) */
static PyObject *py_instant(PyObject *Py_UNUSED(self), PyObject *args) {
    const char *p;
    Py_ssize_t n;
    int is_number;
    if (!PyArg_ParseTuple(args, "y#p", &p, &n, &is_number)) return NULL;
    Val v = {V_STR, 0, p, (uint32_t)n};
    if (is_number) {
        P s = {p, p + n, 0};
        if (number(&s, &v.flags) < 0 || s.p != p + n) Py_RETURN_NONE;
        v.kind = V_NUM;
    } else {
        for (Py_ssize_t i = 0; i < n; i++) /* as a string's text between its quotes */
            if (p[i] == '\\' || p[i] == '"' || (unsigned char)p[i] < 0x20) Py_RETURN_NONE;
            else if ((unsigned char)p[i] >= 0x80) v.flags |= F_NONASCII;
    }
    int64_t us = instant(&v);
    if (us < 0) Py_RETURN_NONE;
    return PyLong_FromLongLong(us);
}

static PyMethodDef methods[] = {
    {"instant", py_instant, METH_VARARGS, "The scanner's reading of an instant (tests)."},
    {"config", py_config, METH_VARARGS, "Build a scanner configuration (see scan.py)."},
    {"scan", py_scan, METH_VARARGS, "Price a buffer of whole JSON Lines (see scan.py)."},
    {"digests", py_digests, METH_VARARGS, "Digests of record ids, as the scanner takes them."},
    {"repeated", py_repeated, METH_VARARGS, "The digests seen more than once."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_scan", "llmcost's compiled JSON Lines scanner (see scan.py).", -1,
    methods,
};

PyMODINIT_FUNC PyInit__scan(void) {
    init_tables();
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddIntConstant(m, "MAX_KEYS", MAX_KEYS) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

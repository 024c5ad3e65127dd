// SQL functions of the embedded engine, in C so that SQLite calls them
// without crossing into Go for every row: an upgrade runs them over every
// record of a pool. sqlfuncs_test.go checks they agree with placement.go.

#include <stdint.h>
#include <string.h>

// The few SQLite declarations needed; the library itself is the one
// github.com/mattn/go-sqlite3 compiles into the binary.
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_context sqlite3_context;
typedef struct sqlite3_value sqlite3_value;
extern int sqlite3_create_function_v2(sqlite3 *, const char *, int, int, void *,
				      void (*)(sqlite3_context *, int, sqlite3_value **),
				      void (*)(sqlite3_context *, int, sqlite3_value **),
				      void (*)(sqlite3_context *), void (*)(void *));
extern const void *sqlite3_value_blob(sqlite3_value *);
extern int sqlite3_value_bytes(sqlite3_value *);
extern long long sqlite3_value_int64(sqlite3_value *);
extern void sqlite3_result_int64(sqlite3_context *, long long);
extern int sqlite3_auto_extension(void (*)(void));

#define SQLITE_UTF8 1
#define SQLITE_DETERMINISTIC 0x000000800

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1; // Castagnoli, reflected
		crc_table[i] = c;
	}
}

uint32_t daosgo_crc32c(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	while (n--)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
	while (n--) {
		h ^= *p++;
		h *= 1099511628211ull;
	}
	return h;
}

#define FNV_OFFSET 14695981039346656037ull
#define TARGETS 8

static int32_t jump_hash(uint64_t key, int32_t buckets)
{
	int64_t b = -1, j = 0;
	while (j < buckets) {
		b = j;
		key = key * 2862933555777941757ull + 1;
		j = (int64_t)((double)(b + 1) * ((double)(1ll << 31) / (double)((key >> 33) + 1)));
	}
	return (int32_t)b;
}

int64_t daosgo_place(uint32_t p, uint64_t hi, uint64_t lo, const uint8_t *dkey, size_t n)
{
	uint8_t b[16];
	for (int i = 0; i < 8; i++) {
		b[i] = (uint8_t)(hi >> (8 * i));
		b[8 + i] = (uint8_t)(lo >> (8 * i));
	}
	uint64_t home = fnv1a(FNV_OFFSET, b, 16);
	if (((hi >> 32) & 0xffff) <= 1) // single-group objects stay home
		return (int64_t)(home % TARGETS);
	if (p == 0) {
		uint64_t k = 0;
		for (size_t i = 0; i < n && i < 8; i++)
			k |= (uint64_t)dkey[i] << (8 * i);
		return (int64_t)((home + k) % TARGETS);
	}
	if (p == 1)
		return jump_hash(home ^ (uint64_t)daosgo_crc32c(dkey, n), TARGETS);
	return jump_hash(home ^ fnv1a(FNV_OFFSET, dkey, n), TARGETS);
}

static void sql_crc32c(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const uint8_t *p = sqlite3_value_blob(argv[0]);
	int n = sqlite3_value_bytes(argv[0]);
	sqlite3_result_int64(ctx, daosgo_crc32c(p, n > 0 ? (size_t)n : 0));
}

static void sql_place(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const uint8_t *dkey = sqlite3_value_blob(argv[3]);
	int n = sqlite3_value_bytes(argv[3]);
	sqlite3_result_int64(ctx, daosgo_place((uint32_t)sqlite3_value_int64(argv[0]),
					       (uint64_t)sqlite3_value_int64(argv[1]),
					       (uint64_t)sqlite3_value_int64(argv[2]),
					       dkey, n > 0 ? (size_t)n : 0));
}

static int register_funcs(sqlite3 *db, char **err, const void *api)
{
	(void)err;
	(void)api;
	int rc = sqlite3_create_function_v2(db, "crc32c", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, 0,
					    sql_crc32c, 0, 0, 0);
	if (rc != 0)
		return rc;
	return sqlite3_create_function_v2(db, "place", 4, SQLITE_UTF8 | SQLITE_DETERMINISTIC, 0,
					  sql_place, 0, 0, 0);
}

// daosgo_register_sql_funcs makes every SQLite connection opened from now on
// have the functions.
int daosgo_register_sql_funcs(void)
{
	crc_init();
	return sqlite3_auto_extension((void (*)(void))register_funcs);
}

/* libFuzzer harness for the strongswan.conf/swanctl.conf parser (cfg/conf_parse.h), parsing
 * from memory with includes disabled. On success it walks the whole tree and checks the
 * invariants the API promises; on failure the message must name the source ("fuzz.conf:"). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/conf.h"
#include "cfg/conf_parse.h"
#include "cfg/conf_value.h"
#include "cfg/conf_write.h"
#include "lib/err.h"
#include "lib/secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t walk(const struct conf_node *sec, const struct conf_node *root, unsigned depth)
{
	char path[CONF_MAX_PATH], item[64];
	size_t n = 0;

	if (depth > CONF_MAX_DEPTH * (CONF_MAX_REF_DEPTH + 1))
		abort();
	for (const struct conf_node *x = conf_first(sec); x; x = conf_next(x)) {
		n++;
		if (x->parent != sec || !x->name || !*x->name || strchr(x->name, '.') || !x->file ||
		    !x->line)
			abort();
		/* every node is found again by its path and kind */
		conf_node_path(x, path, sizeof(path));
		if (strlen(path) + 1 < sizeof(path)) {
			const struct conf_node *y = x->kind == CONF_SECTION
							? conf_section(root, path)
							: conf_key(root, path);
			if (y != x)
				abort();
		}
		if (x->kind == CONF_SECTION) {
			if (x->value)
				abort();
			n += walk(x, root, depth + 1);
		} else if (x->value) {
			const char *cur = x->value;
			uint64_t v;
			bool b;

			(void)conf_value_bool(x->value, &b);
			(void)conf_value_u64(x->value, &v);
			(void)conf_value_time(x->value, &v);
			(void)conf_value_bytes(x->value, &v);
			for (int i = 0; i < 64 && conf_list_next(&cur, item, sizeof(item)) == 1;
			     i++)
				;
		}
	}
	return n;
}

static bool same_tree(const struct conf_node *a, const struct conf_node *b)
{
	const struct conf_node *x = conf_first(a), *y = conf_first(b);

	for (; x && y; x = conf_next(x), y = conf_next(y)) {
		if (x->kind != y->kind || strcmp(x->name, y->name))
			return false;
		if (!x->value != !y->value || (x->value && strcmp(x->value, y->value)))
			return false;
		if (x->kind == CONF_SECTION && !same_tree(x, y))
			return false;
	}
	return !x && !y;
}

/* conf_format's text parses back into the same tree. */
static void check_format(const struct conf *c)
{
	struct conf *again = NULL;
	char err[CONF_ERR_LEN], *text = NULL;
	size_t len;

	if (conf_format(conf_root(c), &text, &len))
		return; /* ENOMEM */
	if (len <= CONF_MAX_FILE_SIZE) {
		if (conf_parse_string("formatted", text, len, CONF_PARSE_NO_INCLUDE, &again, err,
				      sizeof(err)) ||
		    !same_tree(conf_root(c), conf_root(again)))
			abort();
		conf_free(again);
	}
	secret_free_str(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"version", "remote_addrs", "local_ts", "rekey_time",
					   NULL};
	static const char *const secs[] = {"connections", "children", "local*", NULL};
	struct conf *c = NULL;
	char err[CONF_ERR_LEN];
	int rc;

	rc = conf_parse_string("fuzz.conf", (const char *)data, size, CONF_PARSE_NO_INCLUDE, &c,
			       err, sizeof(err));
	if (rc) {
		if (c || strncmp(err, "fuzz.conf", 9))
			abort();
		return 0;
	}
	if (walk(conf_root(c), conf_root(c), 0) != conf_node_count(c))
		abort();
	check_format(c);
	(void)conf_check_names(conf_root(c), keys, secs, NULL, NULL, err, sizeof(err));
	(void)conf_check_names(conf_section(conf_root(c), "connections"), keys, secs, NULL, NULL,
			       err, sizeof(err));
	conf_free(c);
	return 0;
}

#include "cfg/conf_include.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg/conf_lex.h"
#include "cfg/conf_parse.h"
#include "lib/err.h"
#include "lib/secret.h"

/* "INCLUDER:LINE: cannot include 'PATH': REASON", or "PATH: cannot read: REASON" for the
 * top-level file (included NULL). */
static void file_err(struct conf_parser *ps, const char *where, unsigned line, const char *included,
		     const char *reason)
{
	if (included)
		conf_parser_err(ps, where, line, "cannot include '%s': %s", included, reason);
	else
		conf_parser_err(ps, where, 0, "cannot read: %s", reason);
}

static int read_file(struct conf_parser *ps, const char *path, const struct conf_src *from,
		     unsigned from_line, char **data, size_t *len, struct stat *st)
{
	const char *wf = from ? from->name : path;
	unsigned wl = from ? from_line : 0;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		file_err(ps, wf, wl, from ? path : NULL, strerror(errno));
		return from ? ERR_INVAL : ERR_IO;
	}
	if (fstat(fd, st) || !S_ISREG(st->st_mode)) {
		file_err(ps, wf, wl, from ? path : NULL, "not a regular file");
		rc = from ? ERR_INVAL : ERR_IO;
		goto out;
	}
	if (st->st_size > CONF_MAX_FILE_SIZE) {
		char reason[48];

		snprintf(reason, sizeof(reason), "larger than %d bytes", CONF_MAX_FILE_SIZE);
		file_err(ps, wf, wl, from ? path : NULL, reason);
		rc = ERR_LIMIT;
		goto out;
	}
	buf = malloc((size_t)st->st_size + 1);
	if (!buf) {
		rc = ERR_NOMEM;
		goto out;
	}
	while (got < (size_t)st->st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st->st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			file_err(ps, wf, wl, from ? path : NULL, strerror(errno));
			rc = from ? ERR_INVAL : ERR_IO;
			goto out;
		}
		if (n == 0)
			break; /* shrank while reading: parse what is there */
		got += (size_t)n;
	}
	*data = buf;
	*len = got;
	buf = NULL;
out:
	secret_free_buf(buf, got); /* only a failed read leaves buf set */
	close(fd);
	return rc;
}

int conf_include_file(struct conf_parser *ps, const char *path, struct conf_node *sec,
		      unsigned depth, const struct conf_src *from, unsigned from_line)
{
	struct conf_src s;
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	int rc;

	if (ps->files >= CONF_MAX_FILES) {
		conf_parser_err(ps, from ? from->name : path, from_line,
				"more than %d configuration files", CONF_MAX_FILES);
		return ERR_LIMIT;
	}
	if (from && from->depth + 1 > CONF_MAX_INCLUDE_DEPTH) {
		conf_parser_err(ps, from->name, from_line, "includes nested deeper than %d",
				CONF_MAX_INCLUDE_DEPTH);
		return ERR_LIMIT;
	}
	rc = read_file(ps, path, from, from_line, &data, &len, &st);
	if (rc)
		return rc;
	ps->files++;
	for (const struct conf_src *u = from; u; u = u->up) {
		if (u->has_id && u->dev == st.st_dev && u->ino == st.st_ino) {
			conf_parser_err(ps, from->name, from_line,
					"include loop: '%s' is already being read (as '%s')", path,
					u->name);
			secret_free_buf(data, len);
			return ERR_INVAL;
		}
	}
	memset(&s, 0, sizeof(s));
	s.name = conf_intern_file(ps->c, path);
	if (!s.name) {
		secret_free_buf(data, len);
		return ERR_NOMEM;
	}
	s.base = s.p = data;
	s.end = data + len;
	s.line = 1;
	s.has_id = true;
	s.dev = st.st_dev;
	s.ino = st.st_ino;
	s.depth = from ? from->depth + 1 : 0;
	s.up = from;
	rc = conf_parse_buffer(ps, &s, sec, depth);
	secret_free_buf(data, len); /* the text may hold secrets */
	return rc;
}

int conf_include(struct conf_parser *ps, struct conf_src *s, struct conf_node *sec, unsigned depth,
		 unsigned line)
{
	char full[PATH_MAX];
	char *pattern = NULL;
	glob_t g;
	int n, grc, rc = 0;

	if (ps->flags & CONF_PARSE_NO_INCLUDE) {
		conf_parser_err(ps, s->name, line, "include is not allowed here");
		return ERR_INVAL;
	}
	if (!ps->len) {
		conf_parser_err(ps, s->name, line,
				"expected a file name after 'include', got end of line");
		return ERR_INVAL;
	}
	pattern = strdup(ps->buf);
	if (!pattern)
		return ERR_NOMEM;
	if (pattern[0] == '/') {
		n = snprintf(full, sizeof(full), "%s", pattern);
	} else {
		const char *slash = strrchr(s->name, '/');
		int dl = slash ? (int)(slash - s->name) : 1;

		n = snprintf(full, sizeof(full), "%.*s/%s", dl, slash ? s->name : ".", pattern);
		if (slash && dl == 0)
			n = snprintf(full, sizeof(full), "/%s", pattern);
	}
	if (n < 0 || (size_t)n >= sizeof(full)) {
		conf_parser_err(ps, s->name, line, "include path longer than %d bytes",
				PATH_MAX - 1);
		rc = ERR_LIMIT;
		goto out;
	}
	grc = glob(full, GLOB_ERR, NULL, &g);
	if (grc == GLOB_NOMATCH) {
		if (strpbrk(pattern, "*?[")) {
			rc = 0; /* a pattern matching nothing includes nothing */
		} else {
			conf_parser_err(ps, s->name, line,
					"cannot include '%s': No such file or directory", full);
			rc = ERR_INVAL;
		}
		goto out;
	}
	if (grc) {
		conf_parser_err(ps, s->name, line, "cannot include '%s': %s", full,
				grc == GLOB_NOSPACE ? "out of memory"
						    : "cannot read the directory");
		rc = grc == GLOB_NOSPACE ? ERR_NOMEM : ERR_INVAL;
		goto out;
	}
	for (size_t i = 0; !rc && i < g.gl_pathc; i++)
		rc = conf_include_file(ps, g.gl_pathv[i], sec, depth, s, line);
	globfree(&g);
out:
	free(pattern);
	return rc;
}

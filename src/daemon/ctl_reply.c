#include "daemon/ctl_reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ctl_reply_init(struct ctl_reply *r, bool json)
{
	memset(r, 0, sizeof(*r));
	r->json = json;
}

void ctl_reply_cleanup(struct ctl_reply *r)
{
	if (!r)
		return;
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/* Appends the formatted text to *buf, growing it up to CTL_REPLY_MAX. */
__attribute__((format(printf, 5, 0))) static void
append(struct ctl_reply *r, char **buf, size_t *len, size_t *cap, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	if (r->truncated)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if (*len + (size_t)n + 1 > CTL_REPLY_MAX) {
		r->truncated = true;
		return;
	}
	if (*len + (size_t)n + 1 > *cap) {
		size_t ncap = *cap ? *cap : 1024;
		while (ncap < *len + (size_t)n + 1)
			ncap *= 2;
		char *nb = realloc(*buf, ncap);
		if (!nb) {
			r->truncated = true;
			return;
		}
		*buf = nb;
		*cap = ncap;
	}
	vsnprintf(*buf + *len, *cap - *len, fmt, ap);
	*len += (size_t)n;
}

void ctl_reply_printf(struct ctl_reply *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append(r, &r->out, &r->out_len, &r->out_cap, fmt, ap);
	va_end(ap);
}

void ctl_reply_json_str(struct ctl_reply *r, const char *s)
{
	ctl_reply_printf(r, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			ctl_reply_printf(r, "\\%c", c);
		else if (c < 0x20)
			ctl_reply_printf(r, "\\u%04x", c);
		else
			ctl_reply_printf(r, "%c", c);
	}
	ctl_reply_printf(r, "\"");
}

static void append_err(struct ctl_reply *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void append_err(struct ctl_reply *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append(r, &r->err, &r->err_len, &r->err_cap, fmt, ap);
	va_end(ap);
}

void ctl_reply_error(struct ctl_reply *r, const char *fmt, ...)
{
	va_list ap;

	append_err(r, "rampart: ");
	va_start(ap, fmt);
	append(r, &r->err, &r->err_len, &r->err_cap, fmt, ap);
	va_end(ap);
	append_err(r, "\n");
	r->status = 1;
}
